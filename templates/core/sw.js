{% autoescape off %}// LoanWatch's service worker (see loanwatch/core/offline.py): static files from the cache, pages
// from the network first, and a copy of the pages an officer needs in the field — only those the
// server marks with the {{ keep_header }} header, only in the signed-in user's own cache.
/* global workbox */
"use strict";
importScripts({% for src in workbox %}"{{ src|escapejs }}"{% if not forloop.last %}, {% endif %}{% endfor %});

var STATIC_PREFIX = "{{ static_prefix|escapejs }}";
var KEEP_HEADER = "{{ keep_header|escapejs }}";
var STATIC_CACHE = "loanwatch-static";
var PAGES_PREFIX = "loanwatch-pages-";
var OFFLINE_TEXT = "{{ offline_text|escapejs }}";

workbox.core.setCacheNameDetails({ prefix: "loanwatch" });

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

// --- Static files: served by the app, names carry their content's hash in production ----------

workbox.routing.registerRoute(
  function (options) {
    return options.url.origin === self.location.origin &&
      options.url.pathname.indexOf(STATIC_PREFIX) === 0;
  },
  new workbox.strategies.StaleWhileRevalidate({
    cacheName: STATIC_CACHE,
    plugins: [new workbox.expiration.ExpirationPlugin({ maxEntries: 150 })]
  })
);

// The scripts' translations, in the language of the last page opened.
workbox.routing.registerRoute(
  function (options) {
    return options.url.origin === self.location.origin && options.url.pathname === "/jsi18n/";
  },
  new workbox.strategies.NetworkFirst({ cacheName: STATIC_CACHE, networkTimeoutSeconds: 5 })
);

// --- Pages: the network first; a kept copy only when the network is gone -----------------------

function pagesCache(user) { return PAGES_PREFIX + user; }

// Another user's, or a signed-out device's, kept pages are deleted, never shown.
function forgetOthers(user) {
  return caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf(PAGES_PREFIX) === 0 && name !== pagesCache(user);
    }).map(function (name) { return caches.delete(name); }));
  });
}

function keepPage(request, response) {
  var user = response.headers.get(KEEP_HEADER);
  if (!user || !response.ok || response.redirected || response.type !== "basic") {
    return Promise.resolve(false);
  }
  var key = new URL(request.url);
  key.search = "";
  return forgetOthers(user).then(function () {
    return caches.open(pagesCache(user));
  }).then(function (cache) {
    return cache.put(key.href, response).then(function () { return true; });
  });
}

function keptPage(url) {
  var key = new URL(url);
  key.search = "";
  return caches.keys().then(function (names) {
    var mine = names.filter(function (name) { return name.indexOf(PAGES_PREFIX) === 0; });
    return mine.length ? caches.open(mine[0]).then(function (cache) {
      return cache.match(key.href);
    }) : undefined;
  });
}

function offlinePage() {
  var text = OFFLINE_TEXT.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  return new Response("<!doctype html><meta charset=utf-8>" +
    "<meta name=viewport content=\"width=device-width, initial-scale=1\"><title>LoanWatch</title>" +
    "<p id=offline-missing>" + text + "</p>", {
    status: 503, headers: { "Content-Type": "text/html; charset=utf-8" }
  });
}

workbox.routing.registerRoute(
  function (options) { return options.request.mode === "navigate"; },
  function (options) {
    var request = options.request;
    return fetch(request).then(function (response) {
      if (response.headers.get(KEEP_HEADER)) {
        options.event.waitUntil(keepPage(request, response.clone()));
      }
      return response;
    }, function () {
      return keptPage(request.url).then(function (kept) { return kept || offlinePage(); });
    });
  }
);

// --- Messages from the pages (static/loanwatch/offline.js) -------------------------------------

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "user") {
    // Who is signed in on this device now; "" when nobody is.
    event.waitUntil(forgetOthers(String(data.user || "")));
  } else if (data.type === "keep" && typeof data.url === "string") {
    // The page just opened, and the files it used, kept for offline use.
    var url = new URL(data.url, self.location.origin);
    if (url.origin !== self.location.origin) { return; }
    var assets = (data.assets || []).filter(function (asset) {
      var at = new URL(asset, self.location.origin);
      return at.origin === self.location.origin &&
        (at.pathname.indexOf(STATIC_PREFIX) === 0 || at.pathname === "/jsi18n/");
    });
    var source = event.source;
    event.waitUntil(Promise.all([
      fetch(url.href, { credentials: "same-origin", redirect: "follow" }).then(function (response) {
        return keepPage(new Request(url.href), response);
      }),
      caches.open(STATIC_CACHE).then(function (cache) {
        return Promise.all(assets.map(function (asset) {
          return cache.match(asset).then(function (hit) {
            return hit || cache.add(asset).catch(function () { return undefined; });
          });
        }));
      })
    ]).then(function (results) {
      if (source) { source.postMessage({ type: "kept", url: data.url, kept: results[0] }); }
    }, function () {
      if (source) { source.postMessage({ type: "kept", url: data.url, kept: false }); }
    }));
  }
});
{% endautoescape %}

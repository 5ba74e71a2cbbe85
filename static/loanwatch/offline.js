// Installs the service worker (/sw.js, loanwatch/core/offline.py) and tells it who is signed in
// on this device, so that it forgets the pages it kept for anyone else. A page its view lets be
// kept (the visit form, the plan, a customer's briefing) asks the worker to keep it, with the
// files it loaded; while the network is gone a banner says that the page is the kept copy.
(function () {
  "use strict";
  var body = document.body;
  var banner = document.getElementById("offline-banner");

  function showNetwork() {
    if (banner) { banner.classList.toggle("d-none", navigator.onLine !== false); }
  }
  window.addEventListener("online", showNetwork);
  window.addEventListener("offline", showNetwork);
  showNetwork();

  if (!("serviceWorker" in navigator) || !body.getAttribute("data-sw")) { return; }
  navigator.serviceWorker.register(body.getAttribute("data-sw"), { scope: "/" })
    .catch(function () { /* no worker (a private window): the app works online as before */ });

  var keepLinks = document.getElementById("offline-keep-links");
  var linksWaiting = {};

  navigator.serviceWorker.addEventListener("message", function (event) {
    var data = event.data || {};
    if (data.type !== "kept") { return; }
    if (linksWaiting[data.url]) {
      delete linksWaiting[data.url];
      if (!Object.keys(linksWaiting).length && keepLinks) {
        keepLinks.textContent = keepLinks.getAttribute("data-done");
        keepLinks.setAttribute("data-state", "kept");
      }
    } else if (data.kept) {
      body.setAttribute("data-offline-kept", "1");
      var note = document.getElementById("offline-kept");
      if (note) { note.classList.remove("d-none"); }
    }
  });

  function assets() {
    if (!window.performance || !performance.getEntriesByType) { return []; }
    return performance.getEntriesByType("resource").map(function (entry) { return entry.name; })
      .filter(function (name) { return name.indexOf(window.location.origin + "/") === 0; });
  }

  navigator.serviceWorker.ready.then(function (registration) {
    var worker = registration.active;
    if (!worker) { return; }
    worker.postMessage({ type: "user", user: body.getAttribute("data-user") || "" });
    // The plan: the sheets of its customers (the briefing for each visit), kept in one tap.
    var links = document.querySelectorAll("a[data-offline-link]");
    if (keepLinks && links.length) {
      keepLinks.classList.remove("d-none");
      keepLinks.addEventListener("click", function () {
        keepLinks.disabled = true;
        Array.prototype.forEach.call(links, function (link) {
          if (linksWaiting[link.href]) { return; }
          linksWaiting[link.href] = true;
          worker.postMessage({ type: "keep", url: link.href, assets: [] });
        });
      });
    }
    if (body.hasAttribute("data-offline-keep") && navigator.onLine !== false) {
      // Once the page has loaded everything it uses (fonts come late).
      // The files are fetched by the page itself, through the worker, which caches them as
      // they come: with the page's own headers (its language for the scripts' translations).
      var keep = function () {
        Promise.all(assets().map(function (asset) {
          return window.fetch(asset, { credentials: "same-origin" }).catch(function () {
            return undefined;
          });
        })).then(function () {
          worker.postMessage({ type: "keep", url: window.location.href, assets: [] });
        });
      };
      if (document.readyState === "complete") { keep(); } else { window.addEventListener("load", keep); }
    }
  });
})();

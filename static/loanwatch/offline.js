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

  navigator.serviceWorker.addEventListener("message", function (event) {
    var data = event.data || {};
    if (data.type === "kept" && data.kept) {
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
    if (body.hasAttribute("data-offline-keep") && navigator.onLine !== false) {
      // Once the page has loaded everything it uses (fonts come late).
      var keep = function () {
        worker.postMessage({ type: "keep", url: window.location.href, assets: assets() });
      };
      if (document.readyState === "complete") { keep(); } else { window.addEventListener("load", keep); }
    }
  });
})();

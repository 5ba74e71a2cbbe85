// Photos taken in the visit form: "Take a photo" opens the phone's camera. A photo keeps its own
// EXIF time and GPS position where the phone writes them; for one without, the phone's position
// when it was taken is sent along, only if the officer ticked the box (remembered on this device).
(function () {
  "use strict";
  var consent = document.getElementById("photo-consent");
  var lat = document.getElementById("id_photo_latitude");
  var lon = document.getElementById("id_photo_longitude");
  var at = document.getElementById("id_photo_position_at");
  var note = document.getElementById("photo-position-note");
  var take = document.getElementById("photo-take");
  var camera = document.getElementById("photo-capture");
  if (!consent || !lat || !lon || !at) { return; }
  var gettext = window.gettext || function (text) { return text; };
  var REMEMBER = "loanwatch-photo-position";

  try { consent.checked = window.localStorage.getItem(REMEMBER) === "yes"; } catch (ignored) { /* private mode */ }
  consent.addEventListener("change", function () {
    try { window.localStorage.setItem(REMEMBER, consent.checked ? "yes" : "no"); } catch (ignored) { /* private mode */ }
    if (!consent.checked) { lat.value = ""; lon.value = ""; at.value = ""; say(""); }
  });

  function say(text) { if (note) { note.textContent = text; } }

  function locate() {
    if (!consent.checked || !navigator.geolocation) { return; }
    say(gettext("finding the phone's position…"));
    navigator.geolocation.getCurrentPosition(function (position) {
      lat.value = position.coords.latitude.toFixed(6);
      lon.value = position.coords.longitude.toFixed(6);
      at.value = new Date(position.timestamp || Date.now()).toISOString();
      say(gettext("the phone's position is sent with photos that have none of their own"));
    }, function () {
      say(gettext("the phone's position is not available; photos keep their own, if any"));
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }

  if (take && camera) {
    take.addEventListener("click", function () { camera.click(); });
  }
  Array.prototype.forEach.call(document.querySelectorAll("input[type=file][name=evidence_files]"),
    function (input) { input.addEventListener("change", locate); });
})();

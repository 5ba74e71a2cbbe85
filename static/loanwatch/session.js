// The idle-out warning: a few minutes before the session ends, offer "Stay signed in"; once it
// has ended, say that what is sent next is kept (core/held.py) rather than lost.
(function () {
  "use strict";
  var box = document.getElementById("session-warning");
  if (!box) { return; }
  var WARN_BEFORE = 180; // seconds
  var soon = document.getElementById("session-warning-soon");
  var ended = document.getElementById("session-warning-ended");
  var stay = document.getElementById("session-stay");
  var timers = [];

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function schedule(remaining) {
    timers.forEach(clearTimeout);
    timers = [];
    box.classList.add("d-none");
    soon.classList.remove("d-none");
    ended.classList.add("d-none");
    stay.classList.remove("d-none");
    var warnIn = Math.max(0, remaining - Math.min(WARN_BEFORE, remaining / 2));
    timers.push(setTimeout(function () { box.classList.remove("d-none"); }, warnIn * 1000));
    timers.push(setTimeout(function () {
      soon.classList.add("d-none");
      stay.classList.add("d-none");
      ended.classList.remove("d-none");
      box.classList.remove("d-none");
    }, remaining * 1000));
  }

  stay.addEventListener("click", function () {
    fetch(box.dataset.keepAlive, {
      method: "POST", credentials: "same-origin",
      headers: {"X-CSRFToken": csrfToken(), "Accept": "application/json"}
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (body) { schedule(body.remaining); })
      .catch(function () { /* ended meanwhile: the "ended" text will show */ });
  });

  schedule(parseInt(box.dataset.remaining, 10) || 0);
})();

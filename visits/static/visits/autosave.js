// The visit form keeps the officer's work safe while it is typed on a phone with poor signal:
// every change is written to this device (IndexedDB, one copy per visit and user) and, two
// seconds after the last change, saved to the server as a draft with the version the page was
// drawn from. A dead network, an expired session or another tab's save stops nothing from being
// kept here; the status line beside the buttons says which of them happened.
(function () {
  "use strict";

  var form = document.getElementById("visit-form");
  var statusLine = document.getElementById("autosave-status");
  var versionInput = form && form.querySelector("input[name=version]");
  if (!form || !statusLine || !versionInput || !form.getAttribute("data-autosave-url") ||
      !window.fetch) {
    return;
  }
  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\((\w+)\)s/g, function (_m, name) { return String(values[name]); });
  };

  var url = form.getAttribute("data-autosave-url");
  var key = form.getAttribute("data-draft-key");
  var loginUrl = form.getAttribute("data-login-url");
  var DELAY = 2000;
  var RETRY = 10000;
  // Not answers: the page's own keys (a one-time key must never be spent by an autosave).
  var SKIP = { csrfmiddlewaretoken: true, _once: true, version: true, action: true };

  // --- The copy on this device -----------------------------------------------------------------

  var opened = null;
  function database() {
    if (!opened) {
      opened = new Promise(function (resolve, reject) {
        if (!window.indexedDB) { reject(new Error("IndexedDB unavailable")); return; }
        var request = window.indexedDB.open("loanwatch-drafts", 1);
        request.onupgradeneeded = function () { request.result.createObjectStore("drafts"); };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    }
    return opened;
  }

  function inStore(mode, work) {
    return database().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction("drafts", mode);
        var request = work(transaction.objectStore("drafts"));
        transaction.oncomplete = function () { resolve(request ? request.result : undefined); };
        transaction.onerror = function () { reject(transaction.error); };
        transaction.onabort = function () { reject(transaction.error); };
      });
    }).catch(function () { return undefined; });  // private mode: the server copy still works
  }

  function localRead() {
    return inStore("readonly", function (store) { return store.get(key); });
  }

  function localWrite(record) {
    return inStore("readwrite", function (store) { store.put(record, key); });
  }

  // Cleared only if nothing was typed since `stamp`: a newer change still needs its copy.
  function localClear(stamp) {
    return inStore("readwrite", function (store) {
      var request = store.get(key);
      request.onsuccess = function () {
        if (request.result && (stamp === undefined || request.result.savedAt === stamp)) {
          store.delete(key);
        }
      };
    });
  }

  // --- The form's answers ------------------------------------------------------------------------

  function answerable(element) {
    return element.name && !SKIP[element.name] && !element.disabled &&
      ["file", "submit", "button", "reset"].indexOf(element.type) < 0;
  }

  function answers() {
    var entries = [];
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!answerable(element)) { return; }
      if ((element.type === "checkbox" || element.type === "radio") && !element.checked) {
        return;
      }
      if (element.tagName === "SELECT" && element.multiple) {
        Array.prototype.forEach.call(element.selectedOptions, function (option) {
          entries.push([element.name, option.value]);
        });
        return;
      }
      entries.push([element.name, element.value]);
    });
    return entries;
  }

  function sameAnswers(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  function fill(entries) {
    var values = {};
    entries.forEach(function (entry) { (values[entry[0]] = values[entry[0]] || []).push(entry[1]); });
    // People added on this device need their rows before their answers can go in.
    var total = document.getElementById("id_iv-TOTAL_FORMS");
    var add = document.getElementById("iv-add");
    var wanted = values["iv-TOTAL_FORMS"] ? parseInt(values["iv-TOTAL_FORMS"][0], 10) : 0;
    while (total && add && parseInt(total.value, 10) < wanted) { add.click(); }
    Array.prototype.forEach.call(form.elements, function (element) {
      // The rows the server drew are counted by the page, not by the copy: a row saved since
      // the copy was taken must stay one of them.
      if (!answerable(element) || /-(INITIAL|MIN_NUM|MAX_NUM)_FORMS$/.test(element.name)) {
        return;
      }
      var given = values[element.name];
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = !!given && given.indexOf(element.value) >= 0;
      } else if (element.tagName === "SELECT" && element.multiple) {
        Array.prototype.forEach.call(element.options, function (option) {
          option.selected = !!given && given.indexOf(option.value) >= 0;
        });
      } else if (given) {
        element.value = given[0];
      } else {
        return;
      }
      // The follow-up questions listen for changes to show themselves.
      element.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  // --- The status line ---------------------------------------------------------------------------

  function clock(stamp) {
    var at = new Date(stamp);
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    var time = pad(at.getHours()) + ":" + pad(at.getMinutes());
    if (at.toDateString() === new Date().toDateString()) { return time; }
    return at.getFullYear() + "-" + pad(at.getMonth() + 1) + "-" + pad(at.getDate()) + " " + time;
  }

  function show(text, state, link) {
    statusLine.textContent = text;
    statusLine.setAttribute("data-state", state);
    statusLine.classList.toggle("is-problem", ["saved", "saving"].indexOf(state) < 0);
    if (link) {
      var anchor = document.createElement("a");
      anchor.href = link.href;
      anchor.textContent = link.text;
      anchor.className = "btn btn-sm btn-outline-secondary ms-2";
      anchor.id = "autosave-link";
      statusLine.appendChild(anchor);
    }
  }

  function signInLink() {
    var back = window.location.pathname + "?restore=1";
    return loginUrl + "?next=" + encodeURIComponent(back);
  }

  // --- Saving ------------------------------------------------------------------------------------

  var timer = null;
  var inflight = null;
  var dirty = false;        // changes the server has not confirmed
  var stopped = "";         // "signed_out", "conflict", "locked": retrying would not help
  var offline = false;
  var lastChange = 0;       // the stamp of the newest change, also the local copy's savedAt
  var holdLocal = false;    // an offered copy is kept until the officer answers the offer
  var sentKey = "sent-" + key;

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) { return decodeURIComponent(match[1]); }
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function keepLocally() {
    if (holdLocal) { return Promise.resolve(); }
    return localWrite({ fields: answers(), baseVersion: parseInt(versionInput.value, 10) || 0,
                        savedAt: lastChange });
  }

  function changed(event) {
    if (event && event.target && event.target.type === "file") { return; }
    dirty = true;
    lastChange = Date.now();
    keepLocally();
    schedule(DELAY);
  }

  function schedule(delay) {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, delay);
  }

  function save(keepalive) {
    window.clearTimeout(timer);
    timer = null;
    if (inflight) { return inflight; }
    // A submission queued offline (queue.js) carries the answers and the version itself.
    if (!dirty || stopped || form.hasAttribute("data-queued")) { return Promise.resolve(); }
    dirty = false;
    var stamp = lastChange;
    var body = new URLSearchParams();
    answers().forEach(function (entry) { body.append(entry[0], entry[1]); });
    body.append("version", versionInput.value);
    show(gettext("saving…"), "saving");
    inflight = window.fetch(url, {
      method: "POST", body: body, credentials: "same-origin", redirect: "manual",
      keepalive: keepalive === true,
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
    }).then(function (response) {
      offline = false;
      return answered(response, stamp);
    }, function () {
      dirty = true;
      offline = true;
      show(gettext("offline — kept on this device"), "offline");
    }).then(function () {
      inflight = null;
      if (dirty && !stopped && !offline && !timer) { schedule(DELAY); }
    });
    return inflight;
  }

  function json(response) {
    return response.json().catch(function () { return {}; });
  }

  function answered(response, stamp) {
    // A redirect is the sign-in page (an ended session, or a sign-in step still owed).
    if (response.type === "opaqueredirect" || response.status === 401 ||
        response.status === 403) {
      dirty = true;
      stopped = "signed_out";
      show(gettext("signed out — sign in again; your work is kept on this device"),
           "signed_out", { href: signInLink(), text: gettext("Sign in") });
      return undefined;
    }
    if (response.ok) {
      return json(response).then(function (data) {
        versionInput.value = String(data.version);
        show(interpolate(gettext("saved %(time)s"), { time: clock(Date.now()) }, true), "saved");
        // The server has everything up to `stamp`; what was typed since stays on the device.
        if (stamp === lastChange) { return localClear(stamp); }
        return keepLocally();
      });
    }
    return json(response).then(function (data) {
      if (response.status === 409 && data.error === "conflict") {
        dirty = true;
        stopped = "conflict";
        var text = data.changed_by ? interpolate(
          gettext("changed elsewhere by %(who)s at %(time)s — reload to see it; your changes are kept on this device"),
          { who: data.changed_by, time: clock(data.changed_at) }, true)
          : gettext("changed elsewhere — reload to see it; your changes are kept on this device");
        show(text, "conflict", { href: window.location.pathname, text: gettext("Reload") });
      } else if (response.status === 409) {
        stopped = "locked";
        show(data.message || gettext("This visit can no longer be changed."), "locked");
      } else if (response.status === 400 && data.fields) {
        var labels = Object.keys(data.fields).map(function (name) {
          return data.fields[name].label || data.fields[name].messages.join(" ");
        });
        show(interpolate(gettext("not saved — check: %(fields)s"),
                         { fields: labels.join(", ") }, true), "invalid");
      } else {
        dirty = true;
        show(interpolate(gettext("not saved (error %(status)s) — kept on this device"),
                         { status: response.status }, true), "error");
        schedule(RETRY * 3);
      }
    });
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  // Leaving a field or the page saves at once what was typed.
  form.addEventListener("focusout", function () { if (dirty) { schedule(300); } });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && dirty) { save(true); }
  });
  window.addEventListener("online", function () { offline = false; save(); });
  window.setInterval(function () { if (offline && dirty && !inflight) { save(); } }, RETRY);

  // "Save draft" and "Submit" carry the version: an autosave still on its way goes first, so
  // that the form's own save is not refused as a conflict with it.
  form.addEventListener("submit", function (event) {
    window.clearTimeout(timer);
    timer = null;
    if (inflight) {
      event.preventDefault();
      var submitter = event.submitter;
      inflight.then(function () { form.requestSubmit(submitter); });
      return;
    }
    // Noted synchronously (the page is being left): the next page learns that the copy on
    // the device went with this save, even when the server writes a value back differently.
    try {
      window.sessionStorage.setItem(sentKey, JSON.stringify({
        savedAt: lastChange, version: parseInt(versionInput.value, 10) || 0 }));
    } catch (ignored) { /* storage refused: the copy is offered once more, nothing lost */ }
  });

  // --- On load: a copy on this device the server does not have --------------------------------

  var offer = document.getElementById("restore-offer");

  function restore(record) {
    holdLocal = false;
    if (offer) { offer.classList.add("d-none"); }
    fill(record.fields);
    changed();
    save();
  }

  function offerRestore(record, stale) {
    if (!offer) { return; }
    holdLocal = true;
    var when = clock(record.savedAt);
    document.getElementById("restore-text").textContent = stale
      ? interpolate(gettext("This device has changes from %(time)s that were made before this draft was saved elsewhere. Restoring them puts them over the saved answers."), { time: when }, true)
      : interpolate(gettext("This device has unsaved changes from %(time)s. Restore the unsaved changes from this device?"), { time: when }, true);
    offer.classList.remove("d-none");
    // A reload keeps the scroll position, often far below the offer at the top of the form.
    offer.scrollIntoView({ block: "center" });
    document.getElementById("restore-yes").addEventListener("click", function () {
      restore(record);
    });
    document.getElementById("restore-no").addEventListener("click", function () {
      holdLocal = false;
      offer.classList.add("d-none");
      localClear(record.savedAt);
    });
  }

  localRead().then(function (record) {
    if (!record || !record.fields) { return; }
    var server = parseInt(versionInput.value, 10) || 0;
    var here = answers();
    // What the page shows already, or what this device's own "Save draft" sent and the server
    // took (its version moved by exactly that save): nothing to restore.
    var mark = null;
    try {
      mark = JSON.parse(window.sessionStorage.getItem(sentKey) || "null");
      window.sessionStorage.removeItem(sentKey);
    } catch (ignored) { mark = null; }
    var sent = !!mark && mark.savedAt === record.savedAt && mark.version + 1 === server;
    if (sameAnswers(record.fields, here) || sent) {
      localClear(record.savedAt);
      return;
    }
    var stale = record.baseVersion < server;
    var asked = /(?:^|[?&])restore=1(?:&|$)/.test(window.location.search);
    if (asked && window.history.replaceState) {
      window.history.replaceState(null, "", window.location.pathname);
    }
    if (asked && !stale) {
      restore(record);
    } else {
      offerRestore(record, stale);
    }
  });
})();

// Visits submitted without a network wait on this device and are sent when it returns.
//
// "Submit" on the visit form while offline puts the answers and the attached photos (as Blobs)
// in IndexedDB ("loanwatch-queue", one entry per submission, each with a key of its own) instead
// of posting the form. Whenever a page with the queue is open and the network is up, each
// waiting entry is sent to `visits:visit_send` with a CSRF token read at that moment; a lost
// answer or a server error is retried with a growing pause, and the key makes a repeat be
// stored once. The list on the page says what waits, what was sent, and what cannot be sent:
// a visit changed elsewhere meanwhile (nothing is overwritten), an incomplete visit, a signed-out
// session.
(function () {
  "use strict";

  var panel = document.getElementById("send-queue");
  if (!panel || !window.fetch || !window.indexedDB) { return; }
  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (one, many, n) { return n === 1 ? one : many; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\((\w+)\)s/g, function (_m, name) { return String(values[name]); });
  };

  var user = panel.getAttribute("data-user");
  var loginUrl = panel.getAttribute("data-login-url");
  var list = document.getElementById("send-queue-list");
  var badge = document.getElementById("send-queue-count");
  var FIRST_PAUSE = 2000;
  var LONGEST_PAUSE = 5 * 60 * 1000;
  var SKIP = { csrfmiddlewaretoken: true, _once: true, action: true };

  // --- The queue on this device ------------------------------------------------------------------

  var opened = null;
  function database() {
    if (!opened) {
      opened = new Promise(function (resolve, reject) {
        var request = window.indexedDB.open("loanwatch-queue", 1);
        request.onupgradeneeded = function () {
          request.result.createObjectStore("submissions", { keyPath: "key" });
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    }
    return opened;
  }

  function inStore(mode, work) {
    return database().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction("submissions", mode);
        var request = work(transaction.objectStore("submissions"));
        transaction.oncomplete = function () { resolve(request ? request.result : undefined); };
        transaction.onerror = function () { reject(transaction.error); };
        transaction.onabort = function () { reject(transaction.error); };
      });
    });
  }

  function all() {
    return inStore("readonly", function (store) { return store.getAll(); }).then(function (rows) {
      // Only the signed-in user's submissions are shown or sent from this device.
      return (rows || []).filter(function (row) { return row.user === user; })
        .sort(function (a, b) { return a.createdAt - b.createdAt; });
    });
  }

  function put(entry) { return inStore("readwrite", function (store) { store.put(entry); }); }
  function remove(key) { return inStore("readwrite", function (store) { store.delete(key); }); }

  // The autosave's copy of the same visit (visits/static/visits/autosave.js) goes with it.
  function forgetDraftCopy(entry) {
    var request = window.indexedDB.open("loanwatch-drafts", 1);
    request.onupgradeneeded = function () { request.result.createObjectStore("drafts"); };
    request.onsuccess = function () {
      try {
        request.result.transaction("drafts", "readwrite").objectStore("drafts")
          .delete(entry.draftKey);
      } catch (ignored) { /* no copy kept */ }
    };
  }

  function newKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return (b < 16 ? "0" : "") + b.toString(16);
    }).join("");
  }

  // --- The list on the page ----------------------------------------------------------------------

  var sentHere = [];   // sent while this page was open: said once, then gone on reload

  function stateText(entry) {
    switch (entry.state) {
      case "sending": return gettext("sending…");
      case "conflict": return entry.message;
      case "refused": return entry.message;
      case "signed_out": return gettext("signed out — sign in again to send it; it is kept on this device");
      default:
        return entry.attempts ? interpolate(
          gettext("waiting to send — tried %(n)s times, next try when the network allows"),
          { n: entry.attempts }, true) : gettext("waiting to send");
    }
  }

  function button(text, className, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "btn btn-sm " + className;
    b.textContent = text;
    b.addEventListener("click", onClick);
    return b;
  }

  function link(text, href, className) {
    var a = document.createElement("a");
    a.href = href;
    a.className = "btn btn-sm " + className;
    a.textContent = text;
    return a;
  }

  function draw() {
    return all().then(function (entries) {
      var waiting = entries.length;
      badge.textContent = interpolate(ngettext("%(n)s waiting to send", "%(n)s waiting to send",
                                               waiting), { n: waiting }, true);
      badge.setAttribute("data-count", String(waiting));
      panel.classList.toggle("d-none", waiting === 0 && sentHere.length === 0);
      list.textContent = "";
      entries.forEach(function (entry) {
        var item = document.createElement("li");
        item.className = "list-group-item queue-entry";
        item.setAttribute("data-state", entry.state);
        item.setAttribute("data-key", entry.key);
        var title = document.createElement("div");
        title.className = "fw-semibold";
        title.textContent = entry.label;
        var files = entry.files.length ? " · " + interpolate(
          ngettext("%(n)s file", "%(n)s files", entry.files.length),
          { n: entry.files.length }, true) : "";
        var text = document.createElement("div");
        text.className = "small queue-state" + (["conflict", "refused", "signed_out"]
          .indexOf(entry.state) >= 0 ? " text-danger" : " text-body-secondary");
        text.textContent = stateText(entry) + files;
        var actions = document.createElement("div");
        actions.className = "d-flex flex-wrap gap-2 mt-2";
        if (entry.state === "waiting" || entry.state === "signed_out") {
          actions.appendChild(button(gettext("Send now"), "btn-outline-primary queue-retry",
            function () { entry.nextAt = 0; put(entry).then(run); }));
        }
        if (entry.state === "signed_out") {
          actions.appendChild(link(gettext("Sign in"), loginUrl + "?next=" +
            encodeURIComponent(window.location.pathname), "btn-outline-secondary"));
        }
        if (entry.state === "conflict" || entry.state === "refused") {
          actions.appendChild(link(gettext("Open the form"), entry.formUrl + "?restore=1",
                                   "btn-outline-primary"));
          actions.appendChild(button(gettext("Remove from this device"),
            "btn-outline-danger queue-discard", function () {
              if (window.confirm(gettext("Remove this submission and its files from this device? What the server has stays."))) {
                remove(entry.key).then(draw);
              }
            }));
        }
        item.appendChild(title);
        item.appendChild(text);
        item.appendChild(actions);
        list.appendChild(item);
      });
      sentHere.forEach(function (sent) {
        var item = document.createElement("li");
        item.className = "list-group-item queue-sent";
        item.appendChild(document.createTextNode(sent.label + " — " + (sent.already
          ? gettext("had already arrived; stored once") : gettext("sent and submitted")) + " "));
        item.appendChild(link(gettext("Open the visit"), sent.url, "btn-link p-0 align-baseline"));
        list.appendChild(item);
      });
    });
  }

  // --- Sending -----------------------------------------------------------------------------------

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function json(response) { return response.json().catch(function () { return {}; }); }

  function pause(attempts) {
    return Math.min(LONGEST_PAUSE, FIRST_PAUSE * Math.pow(2, Math.max(0, attempts - 1)));
  }

  function clock(stamp) {
    var at = new Date(stamp);
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return at.getFullYear() + "-" + pad(at.getMonth() + 1) + "-" + pad(at.getDate()) + " " +
      pad(at.getHours()) + ":" + pad(at.getMinutes());
  }

  function send(entry) {
    var body = new FormData();
    entry.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    entry.files.forEach(function (file) { body.append("evidence_files", file.blob, file.name); });
    body.append("submit_key", entry.key);
    entry.state = "sending";
    return put(entry).then(draw).then(function () {
      return window.fetch(entry.url, {
        method: "POST", body: body, credentials: "same-origin", redirect: "manual",
        headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
      });
    }).then(function (response) {
      return answered(entry, response);
    }, function () {
      // No answer: the network, or an answer lost on the way. The same key goes again.
      entry.state = "waiting";
      entry.attempts += 1;
      entry.nextAt = Date.now() + pause(entry.attempts);
      return put(entry);
    });
  }

  function answered(entry, response) {
    if (response.type === "opaqueredirect" || response.status === 401 ||
        response.status === 403) {
      entry.state = "signed_out";
      entry.nextAt = Date.now() + LONGEST_PAUSE;  // or at once, from "Send now" or sign-in
      return put(entry);
    }
    return json(response).then(function (data) {
      if (response.ok && (data.status === "submitted" || data.status === "already")) {
        sentHere.push({ label: entry.label, url: data.url, already: data.status === "already" });
        forgetDraftCopy(entry);
        return remove(entry.key);
      }
      if (response.status === 409 && data.error === "conflict") {
        entry.state = "conflict";
        entry.message = data.changed_by ? interpolate(
          gettext("Not sent: %(who)s changed this visit at %(time)s while it waited here. Nothing was overwritten. Open the form, compare, and submit again; your answers are kept on this device."),
          { who: data.changed_by, time: clock(data.changed_at) }, true)
          : gettext("Not sent: the visit was changed elsewhere while it waited here. Nothing was overwritten. Open the form, compare, and submit again; your answers are kept on this device.");
        return put(entry);
      }
      if (response.status === 409 || (response.status === 400 && data.fields)) {
        entry.state = "refused";
        var labels = data.fields ? Object.keys(data.fields).map(function (name) {
          return data.fields[name].label || data.fields[name].messages.join(" ");
        }) : [];
        entry.message = data.message || interpolate(
          gettext("Not sent: the visit cannot be submitted yet — check: %(fields)s. Nothing was stored; open the form to finish it."),
          { fields: labels.join(", ") }, true);
        return put(entry);
      }
      // A server error: tried again later, like a dead network.
      entry.state = "waiting";
      entry.attempts += 1;
      entry.nextAt = Date.now() + pause(entry.attempts);
      return put(entry);
    });
  }

  var running = null;
  function run() {
    if (running) { return running; }
    if (navigator.onLine === false) { return draw(); }
    running = all().then(function (entries) {
      var due = entries.filter(function (entry) {
        return ["waiting", "sending", "signed_out"].indexOf(entry.state) >= 0 &&
          (entry.nextAt || 0) <= Date.now();
      });
      return due.reduce(function (chain, entry) {
        return chain.then(function () { return send(entry); });
      }, Promise.resolve());
    }).then(draw, draw).then(function () { running = null; });
    return running;
  }

  window.addEventListener("online", function () {
    // The network is back: everything waiting goes now, not at its next pause.
    all().then(function (entries) {
      return Promise.all(entries.map(function (entry) {
        if (entry.state === "waiting" || entry.state === "signed_out") {
          entry.nextAt = 0;
          if (entry.state === "signed_out") { entry.state = "waiting"; }
          return put(entry);
        }
        return undefined;
      }));
    }).then(run);
  });
  window.addEventListener("offline", draw);
  window.setInterval(run, FIRST_PAUSE);

  // --- The visit form: "Submit" without a network queues the visit ------------------------------

  var form = document.getElementById("visit-form");
  if (form && form.getAttribute("data-send-url")) {
    form.addEventListener("submit", function (event) {
      if (navigator.onLine !== false) { return; }  // online: the form is posted as always
      event.preventDefault();
      event.stopImmediatePropagation();
      var submitter = event.submitter;
      if (!submitter || submitter.value !== "submit") {
        // "Save draft" offline: the autosave keeps it on this device already.
        return;
      }
      var fields = [];
      var files = [];
      Array.prototype.forEach.call(form.elements, function (element) {
        if (!element.name || element.disabled || SKIP[element.name] ||
            ["submit", "button", "reset"].indexOf(element.type) >= 0) { return; }
        if (element.type === "file") {
          Array.prototype.forEach.call(element.files || [], function (file) {
            files.push({ name: file.name, type: file.type, blob: file });
          });
          return;
        }
        if ((element.type === "checkbox" || element.type === "radio") && !element.checked) {
          return;
        }
        if (element.tagName === "SELECT" && element.multiple) {
          Array.prototype.forEach.call(element.selectedOptions, function (option) {
            fields.push([element.name, option.value]);
          });
          return;
        }
        fields.push([element.name, element.value]);
      });
      var entry = {
        key: newKey(), user: user, url: form.getAttribute("data-send-url"),
        formUrl: window.location.pathname, draftKey: form.getAttribute("data-draft-key"),
        label: form.getAttribute("data-queue-label"), fields: fields, files: files,
        state: "waiting", attempts: 0, nextAt: 0, createdAt: Date.now(), message: ""
      };
      // The autosave stops here: the queued submission carries the answers and the version.
      form.setAttribute("data-queued", "1");
      Array.prototype.forEach.call(form.querySelectorAll("[type=submit]"), function (b) {
        b.disabled = true;
      });
      put(entry).then(draw).then(function () {
        panel.scrollIntoView({ block: "center" });
      });
    });
  }

  // A submission of this very form already waits (the page reloaded offline): not twice.
  function holdForm() {
    if (!form) { return Promise.resolve(); }
    return all().then(function (entries) {
      var waiting = entries.some(function (entry) {
        return entry.formUrl === window.location.pathname &&
          ["waiting", "sending", "signed_out"].indexOf(entry.state) >= 0;
      });
      if (waiting) {
        form.setAttribute("data-queued", "1");
        Array.prototype.forEach.call(form.querySelectorAll("[type=submit]"), function (b) {
          b.disabled = true;
        });
      }
    });
  }

  holdForm().then(run, run);
})();

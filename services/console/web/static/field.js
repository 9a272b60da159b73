// The engineer's phone, offline first. Every action is kept on the phone (localStorage) with its own
// idempotency key and the moment it was done, then sent to the console in order whenever the phone is
// online: a lost answer is sent again under the same key and done once; a refusal (the ticket was
// reassigned or closed meanwhile) is shown here and kept for the manager. The service worker
// (/field/sw.js) keeps the pages for when there is no signal.
(function () {
  "use strict";
  var words = (document.getElementById("phone-words") || {dataset: {}}).dataset;
  // Each person's actions are their own: another engineer signing in on the same phone sends none of them.
  var QUEUE = "aftercare.field.queue." + words.person, REFUSED = "aftercare.field.refused." + words.person;
  var RETRY_MS = 10000;
  var sending = false;

  function load(name) { try { return JSON.parse(localStorage.getItem(name) || "[]"); } catch (e) { return []; } }
  function save(name, list) { localStorage.setItem(name, JSON.stringify(list)); }
  function csrf() { var meta = document.querySelector("meta[name=csrf-token]"); return meta ? meta.content : ""; }

  function show() {
    var waiting = load(QUEUE).length, state = document.getElementById("queue-state");
    if (state) {
      state.dataset.waiting = String(waiting);
      state.textContent = waiting ? waiting + " " + words.waiting : words.nothing;
    }
    var online = document.getElementById("online-state");
    if (online) online.textContent = navigator.onLine ? words.online : words.offline;
    var list = document.getElementById("local-conflicts"), refused = load(REFUSED);
    if (list) {
      list.hidden = refused.length === 0;
      list.innerHTML = "";
      refused.forEach(function (r) {
        var item = document.createElement("li");
        item.dataset.error = r.error;
        item.textContent = words.refused + " · " + r.target + " · " + (r.action || r.kind) + ": " + r.message;
        list.appendChild(item);
      });
    }
  }

  async function send() {
    if (sending) return;
    sending = true;
    try {
      for (;;) {
        var queue = load(QUEUE);
        if (!queue.length) break;
        var action = queue[0], response;
        try {
          response = await fetch(action.kind === "photo" ? await photoRequest(action) : new Request("/field/actions", {
            method: "POST", credentials: "same-origin",
            headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf()},
            body: JSON.stringify(action)
          }));
        } catch (offline) { break; }
        if (response.redirected) break;  // signed out: kept until the engineer signs in again
        if (response.status === 403) { stuck(words.reload); break; }  // this page's form token is stale
        if (!response.ok && response.status !== 413 && response.status !== 422) break;  // sent again later
        var answer = response.ok ? await response.json() : await refusalOf(response);
        save(QUEUE, load(QUEUE).filter(function (a) { return a.key !== action.key; }));
        if (action.kind === "photo") await pictures("readwrite", function (store) { store.delete(action.key); });
        if (!answer.ok) {
          var refused = load(REFUSED);
          refused.push({key: action.key, kind: action.kind, action: action.action, target: action.target,
                        error: answer.error, message: answer.message});
          save(REFUSED, refused);
        }
        show();
      }
    } finally { sending = false; show(); }
  }

  // The pictures wait in IndexedDB, which holds far more than localStorage's few megabytes; the
  // queue names each by its action's key.
  function pictures(mode, work) {
    return new Promise(function (resolve, reject) {
      var opening = indexedDB.open("aftercare-field", 1);
      opening.onupgradeneeded = function () { opening.result.createObjectStore("photos"); };
      opening.onerror = function () { reject(opening.error); };
      opening.onsuccess = function () {
        var done = opening.result.transaction("photos", mode), found = work(done.objectStore("photos"));
        done.oncomplete = function () { resolve(found && found.result); };
        done.onerror = function () { reject(done.error); };
      };
    });
  }

  // A photo goes as the picture itself, not inside JSON: the console passes it to the archive.
  async function photoRequest(action) {
    var query = new URLSearchParams({key: action.key, ticket_id: action.target, kind: action.fields.kind,
                                     taken_at: action.at});
    var picture = await pictures("readonly", function (store) { return store.get(action.key); });
    return new Request("/field/photos?" + query, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "image/jpeg", "X-CSRF-Token": csrf()}, body: picture
    });
  }

  // Resized on the phone (console.js): some 100 kB to keep and to send.
  var resized = window.aftercareResized;

  // The console itself refused the action as sent (too large, malformed): it never will take it.
  async function refusalOf(response) {
    var body = {};
    try { body = await response.json(); } catch (notJson) { /* a plain refusal */ }
    return {ok: false, error: body.error || "http_" + response.status, message: body.message || response.statusText};
  }

  function stuck(why) {
    var state = document.getElementById("queue-state");
    if (state) { state.textContent = why; state.dataset.stuck = "true"; }
  }

  function keep(form, at, fields, key) {
    var queue = load(QUEUE);
    queue.push({key: key || "phone-" + crypto.randomUUID(), kind: form.dataset.kind,
                action: form.dataset.action || null, target: form.dataset.target, at: at, fields: fields});
    try {
      save(QUEUE, queue);
    } catch (full) {  // the phone's storage for pages is full: say so rather than lose the action
      var state = document.getElementById("queue-state");
      if (state) state.textContent = words.full;
      return;
    }
    form.dataset.state = "queued";
    var note = form.querySelector(".queued") || form.appendChild(document.createElement("p"));
    note.className = "queued muted";
    note.textContent = words.queued;
    show();
    send();
  }

  function where() {
    return new Promise(function (resolve) {
      if (!navigator.geolocation) return resolve({});
      navigator.geolocation.getCurrentPosition(function (found) {
        resolve({latitude: String(found.coords.latitude), longitude: String(found.coords.longitude),
                 accuracy_m: String(Math.round(found.coords.accuracy))});
      }, function () { resolve({}); }, {enableHighAccuracy: true, timeout: 10000, maximumAge: 60000});
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-queue]")) return;
    var blocked = event.defaultPrevented;  // the signature pad wants a signature first
    event.preventDefault();
    if (blocked) return;
    var at = new Date().toISOString(), fields = {}, picture = null;
    new FormData(form).forEach(function (value, name) {
      if (value instanceof File) picture = value; else fields[name] = String(value);
    });
    if (picture) {
      var key = "phone-" + crypto.randomUUID();
      resized(picture).then(function (jpeg) {
        return pictures("readwrite", function (store) { store.put(jpeg, key); });
      }).then(function () { keep(form, at, fields, key); form.reset(); }, function () { stuck(words.full); });
    } else if ("geolocate" in form.dataset) {
      where().then(function (position) { keep(form, at, Object.assign(fields, position)); });
    } else {
      keep(form, at, fields);
    }
  });

  window.addEventListener("online", function () { show(); send(); });
  window.addEventListener("offline", show);
  setInterval(send, RETRY_MS);
  show();
  send();
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/field/sw.js", {scope: "/field/"});
})();

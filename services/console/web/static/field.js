// The engineer's phone, offline first. Every action is kept on the phone (localStorage) with its own
// idempotency key and the moment it was done, then sent to the console in order whenever the phone is
// online: a lost answer is sent again under the same key and done once; a refusal (the ticket was
// reassigned or closed meanwhile) is shown here and kept for the manager. Each action's state is kept
// beside it and shown: waiting on the phone, sending, sent (when), refused (why, in the reader's
// language). A ticket's page shows where its moves leave it and offers only the moves that apply
// there, from the table of moves the page carries (dispatch's own). Keeping the pages for when there is
// no signal is field-offline.js's.
(function () {
  "use strict";
  var words = (document.getElementById("phone-words") || {dataset: {}}).dataset;
  // Each person's actions are their own: another engineer signing in on the same phone sends none of them.
  var QUEUE = "aftercare.field.queue." + words.person, LOG = "aftercare.field.log." + words.person;
  var RETRY_MS = 10000, LOGGED = 30;
  var sending = false;
  var lifecycleTag = document.getElementById("lifecycle");
  var lifecycle = lifecycleTag ? JSON.parse(lifecycleTag.textContent) : null;
  var statusTag = document.getElementById("status");

  function load(name) { try { return JSON.parse(localStorage.getItem(name) || "[]"); } catch (e) { return []; } }
  function save(name, list) { localStorage.setItem(name, JSON.stringify(list)); }
  function csrf() { var meta = document.querySelector("meta[name=csrf-token]"); return meta ? meta.content : ""; }

  // The log of what was done on this phone, newest last: each action's state as it goes.
  function logged(key, change) {
    var log = load(LOG);
    log.forEach(function (entry) { if (entry.key === key) Object.assign(entry, change); });
    try { save(LOG, log); } catch (noRoom) { /* the list shows the state before: the action itself goes on */ }
  }

  function stateWords(entry) {
    if (entry.state === "sent") return words.sent + " " + clock(entry.sent_at);
    if (entry.state === "refused") return words.refused + ": " + entry.why;
    return entry.state === "sending" ? words.stateSending : words.stateWaiting;
  }

  function clock(moment) {
    return new Date(moment).toLocaleTimeString(document.documentElement.lang, {hour: "2-digit", minute: "2-digit"});
  }

  // This page's ticket or visit: its page shows its own actions; the home list shows them all.
  var here = (document.querySelector("form[data-queue]") || {dataset: {}}).dataset.target;

  function show() {
    var waiting = load(QUEUE).length, state = document.getElementById("queue-state");
    if (state) {
      state.dataset.waiting = String(waiting);
      if (!state.dataset.stuck) state.textContent = waiting ? waiting + " " + words.waiting : words.nothing;
    }
    var online = document.getElementById("online-state");
    if (online) online.textContent = navigator.onLine ? words.online : words.offline;
    var list = document.getElementById("queue-log");
    var shown = load(LOG).filter(function (entry) { return !here || entry.target === here; }).reverse();
    if (list) {
      list.hidden = shown.length === 0;
      list.innerHTML = "";
      shown.forEach(function (entry) {
        var item = document.createElement("li");
        item.dataset.state = entry.state;
        item.dataset.key = entry.key;
        if (entry.error) item.dataset.error = entry.error;
        item.className = entry.state === "refused" ? "problem" : entry.state === "sent" ? "muted" : "";
        item.textContent = entry.label + " · " + entry.target + " · " + stateWords(entry);
        list.appendChild(item);
      });
    }
    shown.forEach(function (entry) {  // the note under the form that kept it
      var note = document.querySelector(".queued[data-key='" + entry.key + "']");
      if (note) { note.dataset.state = entry.state; note.textContent = stateWords(entry); }
    });
    offer();
  }

  // Where the ticket stands: as the page (or the last answer) says, then each move still waiting; an
  // escalation waiting pauses the ticket as dispatch will (waiting for the vendor) where it applies.
  function offer() {
    if (!lifecycle || !statusTag) return;
    var stands = {status: statusTag.dataset.status, pausedFrom: statusTag.dataset.pausedFrom || null};
    load(QUEUE).forEach(function (action) {
      if (action.target !== here) return;
      if (action.kind === "move") stands = after(action.action, stands) || stands;
      if (action.kind === "escalate" && applies("escalate", stands)) stands = escalated(stands);
    });
    statusTag.textContent = lifecycle.labels[stands.status] || stands.status;
    statusTag.dataset.expected = stands.status;
    document.querySelectorAll("form[data-queue][data-kind=move]").forEach(function (form) {
      form.hidden = !after(form.dataset.action, stands);
    });
    // Escalating and swapping a device, only where dispatch takes them (its table, with the moves').
    var fieldWork = document.querySelectorAll("form[data-queue][data-kind=escalate], form[data-queue][data-kind=swap]");
    fieldWork.forEach(function (form) { form.hidden = !applies(form.dataset.kind, stands); });
    var section = document.getElementById("field-work");
    if (section) section.hidden = Array.prototype.every.call(fieldWork, function (form) { return form.hidden; });
  }

  // Where a move leaves the ticket, or null where it does not apply (dispatch's table: `to` null is
  // back to the status it was paused in; a pause remembers the status it was paused in).
  function after(action, stands) {
    var move = lifecycle.moves[action];
    if (!move || move.from.indexOf(stands.status) < 0) return null;
    var to = move.to || stands.pausedFrom || "assigned";
    return {status: to, pausedFrom: to === "paused" ? stands.status : null};
  }

  // Whether the field work beside the moves (escalate, swap) applies where the ticket stands.
  function applies(work, stands) {
    var allowed = (lifecycle.fieldWork || {})[work];
    return !allowed || allowed.indexOf(stands.status) >= 0;
  }

  // An escalation pauses a ticket not paused yet; a paused one stays paused as it was.
  function escalated(stands) {
    return stands.status === "paused" ? stands : {status: "paused", pausedFrom: stands.status};
  }

  // The ticket as dispatch left it after a move or an escalation (sent in order: it stood where the
  // page last knew it).
  function standsNow(status) {
    var was = statusTag.dataset.status;
    if (!(status === "paused" && was === "paused")) statusTag.dataset.pausedFrom = status === "paused" ? was : "";
    statusTag.dataset.status = status;
  }

  // What dispatch's arrival check said, at once: flagged (in the words of the ticket's page), or not.
  function arrivalChecked(answer) {
    var flag = document.getElementById("arrival-flag"), place = document.getElementById("arrival-words");
    if (!answer.arrival_words) { if (flag && answer.answer && answer.answer.arrival) flag.remove(); return; }
    if (!place) return;
    if (!flag) {
      flag = document.createElement("p");
      flag.id = "arrival-flag";
      flag.className = "notice";
      place.insertAdjacentElement("afterend", flag);
    }
    flag.dataset.doubt = answer.answer.arrival.doubt;
    var said = document.createElement("strong");
    said.textContent = answer.arrival_words;
    flag.replaceChildren(said, document.createElement("br"), place.dataset.managerSees);
  }

  // The page an action changed: its ticket's, or its visit's.
  function pageOf(action) {
    return (action.kind === "results" ? "/field/visits/" : "/field/tickets/") + encodeURIComponent(action.target);
  }

  async function send() {
    if (sending) return;
    sending = true;
    var sentAny = false;
    try {
      for (;;) {
        var queue = load(QUEUE);
        if (!queue.length) break;
        var action = queue[0], response;
        logged(action.key, {state: "sending"});
        show();
        try {
          response = await fetch(action.kind === "photo" ? await photoRequest(action) : new Request("/field/actions", {
            method: "POST", credentials: "same-origin",
            headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf()},
            body: JSON.stringify(action)
          }));
        } catch (offline) { logged(action.key, {state: "waiting"}); break; }
        if (response.redirected) { logged(action.key, {state: "waiting"}); break; }  // signed out: kept
        if (response.status === 403) { logged(action.key, {state: "waiting"}); stuck(words.reload); break; }
        if (!response.ok && response.status !== 413 && response.status !== 422) {  // sent again later
          logged(action.key, {state: "waiting"});
          break;
        }
        var answer = response.ok ? await response.json() : await refusalOf(response);
        save(QUEUE, load(QUEUE).filter(function (a) { return a.key !== action.key; }));
        if (action.kind === "photo") await pictures("readwrite", function (store) { store.delete(action.key); });
        delete (document.getElementById("queue-state") || {dataset: {}}).dataset.stuck;
        if (answer.ok) {
          logged(action.key, {state: "sent", sent_at: new Date().toISOString()});
          var status = answer.answer && answer.answer.status, mine = action.target === here;
          if (status && statusTag && mine && (action.kind === "move" || action.kind === "escalate")) standsNow(status);
          if (mine && action.kind === "move" && action.action === "arrive") arrivalChecked(answer);
          // The page kept for when there is no signal is fetched again as it now reads (field-offline.js).
          document.dispatchEvent(new CustomEvent("aftercare:sent", {detail: {key: action.key, urls: [pageOf(action)]}}));
        } else {
          logged(action.key, {state: "refused", error: answer.error, why: answer.words || answer.message});
        }
        sentAny = true;
        show();
      }
    } finally {
      sending = false;
      show();
      // The work changed: the pages kept for when there is no signal are fetched again.
      if (sentAny && !load(QUEUE).length) document.dispatchEvent(new CustomEvent("aftercare:work-changed"));
    }
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
    return {ok: false, error: body.error || "http_" + response.status,
            words: body.words, message: body.message || response.statusText};
  }

  function stuck(why) {
    var state = document.getElementById("queue-state");
    if (state) { state.textContent = why; state.dataset.stuck = "true"; }
  }

  function keep(form, at, fields, key) {
    var queue = load(QUEUE), button = form.querySelector("button[type=submit]");
    var action = {key: key || "phone-" + crypto.randomUUID(), kind: form.dataset.kind,
                  action: form.dataset.action || null, target: form.dataset.target, at: at, fields: fields};
    queue.push(action);
    var log = load(LOG).concat([{key: action.key, kind: action.kind, action: action.action, target: action.target,
                                 label: button ? button.textContent.trim() : action.kind, at: at, state: "waiting"}]);
    try {
      save(QUEUE, queue);
    } catch (full) {  // the phone's storage for pages is full: say so rather than lose the action
      stuck(words.full);
      return;
    }
    try { save(LOG, log.slice(-LOGGED)); } catch (noRoom) { /* kept all the same; only its line is not shown */ }
    form.dataset.state = "queued";
    var note = form.querySelector(".queued") || form.appendChild(document.createElement("p"));
    note.className = "queued muted";
    note.dataset.key = action.key;
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

  // A page closed while an action was on its way: it waits again, and goes with the next sending.
  var waitingKeys = load(QUEUE).map(function (action) { return action.key; });
  load(LOG).forEach(function (entry) {
    if (entry.state === "sending" && waitingKeys.indexOf(entry.key) >= 0) logged(entry.key, {state: "waiting"});
  });
  window.addEventListener("online", function () { show(); send(); });
  window.addEventListener("offline", show);
  setInterval(send, RETRY_MS);
  show();
  send();
})();

// The engineer's work kept on the phone for when there is no signal: the page asks the service worker
// (/field/sw.js) to fetch and keep every page the engineer may need (the list comes from
// /field/offline-manifest) after signing in, on each opening of the home list, when the phone is back
// online, when the live feed says a ticket moved, and when the phone's queue has been sent. Once all
// is kept, the page says so and carries data-offline-ready (the work's version) on <html>. Each action
// sent has its own page fetched again at once (data-offline-refreshed: the action's key, once done).
// The sign-in page empties what was kept (field-forget.js): the next person on this phone sees none of it.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;
  var words = (document.getElementById("phone-words") || {dataset: {}}).dataset;
  var SETTLE_MS = 5000;  // a burst of moves on the live feed asks for the list once
  var WORKER_MS = 15000;  // a worker not ready by then (its install failed): asked again later
  var AGAIN_MS = 60000;
  var keeping = null, again = false, settling = null, later = null;

  navigator.serviceWorker.register("/field/sw.js", {scope: "/field/", updateViaCache: "none"});
  // The version of the work kept when this page opened: the page may be that copy, served with no signal.
  var showing = ask({type: "kept"}).then(function (kept) { return kept; }, function () { return {}; });

  function say(text, state) {
    var shown = document.getElementById("offline-state");
    if (shown) { shown.textContent = text; shown.dataset.state = state; }
  }

  // A word to the service worker, and its answer; refused if no worker is ready within WORKER_MS
  // (`ready` never settles when the worker could not install).
  function ask(message) {
    var timer;
    var late = new Promise(function (resolve, reject) {
      timer = setTimeout(function () { reject(new Error("no service worker ready")); }, WORKER_MS);
    });
    var answered = navigator.serviceWorker.ready.then(function (registration) {
      return new Promise(function (resolve) {
        var channel = new MessageChannel();
        channel.port1.onmessage = function (event) { resolve(event.data || {}); };
        registration.active.postMessage(message, [channel.port2]);
      });
    });
    return Promise.race([answered, late]).finally(function () { clearTimeout(timer); });
  }

  async function keepOnce() {
    var kept = await showing, response;
    // The version this phone keeps of this person's work: unchanged, the console answers 304.
    var known = kept.person === words.person && kept.version;
    var headers = known ? {"If-None-Match": '"' + kept.person + ":" + kept.version + '"'} : {};
    try {
      response = await fetch("/field/offline-manifest", {credentials: "same-origin", cache: "no-store", headers: headers});
    } catch (noSignal) { return; }  // what was kept stays as it is
    if (response.status === 304) return ready(kept.version);
    if (!response.ok || response.redirected) return;
    var work = await response.json();
    say(words.keeping, "keeping");
    var answer = await ask({type: "keep", work: work});
    if (answer.failed && answer.failed.length) { say(words.notKept, "partial"); return; }
    showing = Promise.resolve({person: work.person, version: work.version});
    ready(work.version, kept.version);
  }

  function ready(version, before) {
    var shown = document.documentElement.dataset.offlineReady || before;
    document.documentElement.dataset.offlineReady = version;
    say(words.ready, "ready");
    // The home list (no form on it to lose) reads anew once the work it lists has changed.
    if (shown && shown !== version && location.pathname === "/field/") location.reload();
  }

  // One keeping at a time; a word to keep while it runs keeps once more after it. A worker that does
  // not answer (never installed) is asked again a minute later.
  async function keepWork() {
    if (keeping) { again = true; return; }
    keeping = keepOnce();
    try {
      await keeping;
    } catch (noWorker) {
      clearTimeout(later);
      later = setTimeout(keepWork, AGAIN_MS);
    } finally { keeping = null; }
    if (again) { again = false; keepWork(); }
  }

  function soon() {
    clearTimeout(settling);
    settling = setTimeout(keepWork, SETTLE_MS);
  }

  // An action sent (field.js): its ticket's or visit's page as it now reads, kept at once.
  document.addEventListener("aftercare:sent", function (event) {
    var sent = event.detail || {};
    ask({type: "refresh", person: words.person, urls: sent.urls || []}).then(function () {
      document.documentElement.dataset.offlineRefreshed = sent.key || "";
    }, function () { /* no worker: the next keeping fetches it */ });
  });
  document.addEventListener("aftercare:work-changed", keepWork);
  window.addEventListener("online", keepWork);
  if ("EventSource" in window) new EventSource("/live").addEventListener("ticket", soon);
  if (location.pathname === "/field/") keepWork();
})();

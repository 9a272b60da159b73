// The engineer's work kept on the phone for when there is no signal: the page asks the service worker
// (/field/sw.js) to fetch and keep every page the engineer may need (the list comes from
// /field/offline-manifest) after signing in, on each opening of the home list, when the phone is back
// online, when the live feed says a ticket moved, and when the phone's queue has been sent. Once all
// is kept, the page says so and carries data-offline-ready (the work's version) on <html>. The sign-in
// page empties what was kept (field-forget.js): the next person on this phone sees none of it.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;
  var words = (document.getElementById("phone-words") || {dataset: {}}).dataset;
  var SETTLE_MS = 5000;  // a burst of moves on the live feed asks for the list once
  var keeping = null, again = false, settling = null;

  navigator.serviceWorker.register("/field/sw.js", {scope: "/field/", updateViaCache: "none"});
  // The version of the work kept when this page opened: the page may be that copy, served with no signal.
  var showing = ask({type: "kept"}).then(function (kept) { return kept.version; });

  function say(text, state) {
    var shown = document.getElementById("offline-state");
    if (shown) { shown.textContent = text; shown.dataset.state = state; }
  }

  // A word to the service worker, and its answer.
  function ask(message) {
    return navigator.serviceWorker.ready.then(function (registration) {
      return new Promise(function (resolve) {
        var channel = new MessageChannel();
        channel.port1.onmessage = function (event) { resolve(event.data || {}); };
        registration.active.postMessage(message, [channel.port2]);
      });
    });
  }

  async function keepOnce() {
    var response;
    try {
      response = await fetch("/field/offline-manifest", {credentials: "same-origin", cache: "no-store"});
    } catch (noSignal) { return; }  // what was kept stays as it is
    if (!response.ok || response.redirected) return;
    var work = await response.json();
    say(words.keeping, "keeping");
    var answer = await ask({type: "keep", work: work});
    if (answer.failed && answer.failed.length) { say(words.notKept, "partial"); return; }
    var shown = document.documentElement.dataset.offlineReady || (await showing);
    document.documentElement.dataset.offlineReady = work.version;
    say(words.ready, "ready");
    // The home list (no form on it to lose) reads anew once the work it lists has changed.
    if (shown && shown !== work.version && location.pathname === "/field/") location.reload();
  }

  // One keeping at a time; a word to keep while it runs keeps once more after it.
  async function keepWork() {
    if (keeping) { again = true; return; }
    keeping = keepOnce();
    try { await keeping; } finally { keeping = null; }
    if (again) { again = false; keepWork(); }
  }

  function soon() {
    clearTimeout(settling);
    settling = setTimeout(keepWork, SETTLE_MS);
  }

  document.addEventListener("aftercare:work-changed", keepWork);
  window.addEventListener("online", keepWork);
  if ("EventSource" in window) new EventSource("/live").addEventListener("ticket", soon);
  if (location.pathname === "/field/") keepWork();
})();

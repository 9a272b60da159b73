// The engineer's pages without a signal, on the vendored Workbox (static/vendor/workbox-7.4.1).
// - The app's own files (self.SHELL, written in by the console with each file's revision) are kept
//   at install and served from what was kept; a new revision is a new worker, which keeps them anew.
// - The engineer's pages are fetched from the network when it answers within NETWORK_SECONDS, else
//   from what was kept; a page never kept shows the offline page instead of the browser's own error.
// - The engineer's work (their tickets' and visits' pages, their home list) is kept on the page's word
//   ("keep", with the list from /field/offline-manifest) at sign-in and whenever it changes, and the
//   pages no longer theirs are let go. An action the phone sent (a note, a move, a photo...) changes its
//   ticket's or visit's page: the page asks for that page again at once ("refresh"). They are one
//   person's: the sign-in page (field-forget.js), another person's list, or a page answered with the
//   sign-in form empties them.
// Changes never pass here: the pages queue them (field.js) and send them when the phone is online.
"use strict";
importScripts(
  "/static/vendor/workbox-7.4.1/workbox-core.prod.js",
  "/static/vendor/workbox-7.4.1/workbox-routing.prod.js",
  "/static/vendor/workbox-7.4.1/workbox-strategies.prod.js",
  "/static/vendor/workbox-7.4.1/workbox-cacheable-response.prod.js",
  "/static/vendor/workbox-7.4.1/workbox-expiration.prod.js",
  "/static/vendor/workbox-7.4.1/workbox-precaching.prod.js"
);

var PAGES = "aftercare-field-pages";  // the signed-in engineer's pages: never kept across sign-outs
var OWNER = "/field/offline-owner";  // whose pages PAGES holds, and of which version of their work
var OFFLINE = "/field/offline";
var NETWORK_SECONDS = 4;  // a page that takes longer on a weak signal comes from what was kept
var FETCHING_AT_ONCE = 4;

workbox.core.setCacheNameDetails({prefix: "aftercare-field"});
workbox.core.skipWaiting();
workbox.core.clientsClaim();
workbox.precaching.cleanupOutdatedCaches();
workbox.precaching.precacheAndRoute(self.SHELL || []);
// The hand-written worker before this one kept every page it served, anyone's, in this cache.
self.addEventListener("activate", function (event) { event.waitUntil(caches.delete("aftercare-field-v1")); });

function signInForm(response) {
  return response.redirected && new URL(response.url).pathname === "/sign-in";
}

// Only the engineer's own pages as they were served to them: not a redirect to the sign-in form (the
// session is over: what was kept is no longer to be shown), not an error.
var theirOwnPages = {
  cacheWillUpdate: async function (found) {
    var response = found.response;
    if (signInForm(response)) { await caches.delete(PAGES); return null; }
    return response.status === 200 && !response.redirected ? response : null;
  }
};

workbox.routing.registerRoute(function (route) {
  return route.request.mode === "navigate" && route.url.origin === self.location.origin &&
    route.url.pathname.indexOf("/field/") === 0;
}, new workbox.strategies.NetworkFirst({
  cacheName: PAGES,
  networkTimeoutSeconds: NETWORK_SECONDS,
  plugins: [theirOwnPages, new workbox.expiration.ExpirationPlugin({maxEntries: 300, purgeOnQuotaError: true})]
}));

workbox.routing.setCatchHandler(async function (route) {
  if (route.request.mode === "navigate") {
    var offline = await workbox.precaching.matchPrecache(OFFLINE);
    if (offline) return offline;
  }
  return Response.error();
});

async function owner(kept) {
  var found = await kept.match(OWNER);
  return found ? found.json() : {};
}

// Fetches the engineer's pages into PAGES, lets go of those not listed, and answers what it kept.
async function keep(work) {
  var kept = await caches.open(PAGES), had = await owner(kept);
  if (had.person && had.person !== work.person) {  // another engineer's: none of it is shown to this one
    await caches.delete(PAGES);
    kept = await caches.open(PAGES);
  }
  var wanted = work.urls.map(function (url) { return new URL(url, self.location.origin).href; });
  var present = (await kept.keys()).map(function (request) { return request.url; });
  var missing = wanted.filter(function (url) { return present.indexOf(url) < 0; });
  var todo = had.version === work.version && had.person === work.person ? missing : wanted.slice();
  var failed = [];
  async function fetchNext() {
    for (var url = todo.shift(); url; url = todo.shift()) {
      try {
        var response = await fetch(url, {credentials: "same-origin", cache: "no-store"});
        if (signInForm(response)) { await caches.delete(PAGES); throw new Error("signed out"); }
        if (response.status !== 200) throw new Error(url + " answered " + response.status);
        await kept.put(url, response);
      } catch (notKept) { failed.push(url); }
    }
  }
  var workers = [];
  for (var n = 0; n < FETCHING_AT_ONCE; n++) workers.push(fetchNext());
  await Promise.all(workers);
  kept = await caches.open(PAGES);
  await Promise.all(present.filter(function (url) {
    return wanted.indexOf(url) < 0 && url !== new URL(OWNER, self.location.origin).href;
  }).map(function (url) { return kept.delete(url); }));
  // The version only once all of it is kept: the next word to keep fetches the rest.
  var whose = {person: work.person, version: failed.length ? null : work.version};
  await kept.put(OWNER, new Response(JSON.stringify(whose), {headers: {"Content-Type": "application/json"}}));
  return {version: work.version, kept: wanted.length - failed.length, failed: failed};
}

// The pages an action just sent has changed, fetched again now: the copy kept shows what was done even
// before the version of the work says so. Only into this person's pages.
async function refresh(person, urls) {
  var kept = await caches.open(PAGES), had = await owner(kept), refreshed = [];
  if (had.person && had.person !== person) return {refreshed: refreshed};
  await Promise.all(urls.map(async function (url) {
    try {
      var response = await fetch(url, {credentials: "same-origin", cache: "no-store"});
      if (signInForm(response)) { await caches.delete(PAGES); return; }
      if (response.status === 200) { await kept.put(url, response); refreshed.push(url); }
    } catch (noSignal) { /* kept as it was: the next keeping fetches it */ }
  }));
  return {refreshed: refreshed};
}

self.addEventListener("message", function (event) {
  var said = event.data || {}, reply = event.ports[0];
  var done = said.type === "keep" ? keep(said.work)
    : said.type === "refresh" ? refresh(said.person, said.urls || [])
    : said.type === "kept" ? caches.match(OWNER, {cacheName: PAGES}).then(function (found) {
      return found ? found.json() : {};
    })
    : Promise.resolve({unknown: said.type});
  event.waitUntil(done.then(function (answer) { if (reply) reply.postMessage(answer); }, function (error) {
    if (reply) reply.postMessage({failed: [String(error)]});
  }));
});

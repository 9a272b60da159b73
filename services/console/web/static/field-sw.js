// The engineer's pages without a signal: each page and file is fetched from the network when there is
// one (and kept), and from what was kept when there is none. Changes never pass here: the pages queue
// them (field.js) and send them when the phone is back online.
"use strict";
var KEPT = "aftercare-field-v1";
var FILES = ["/static/console.css", "/static/console.js", "/static/field.js"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(KEPT).then(function (kept) { return kept.addAll(FILES); }).then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name !== KEPT; }).map(function (name) {
      return caches.delete(name);
    }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || url.pathname === "/live") return;
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(KEPT).then(function (kept) { kept.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(request).then(function (kept) { return kept || caches.match("/field/"); });
  }));
});

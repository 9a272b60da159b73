// The sign-in page (after signing out, or once a session has ended) empties the pages the phone kept
// for the last engineer (field-sw.js): whoever signs in next on this phone sees none of them, even with
// no signal. Also the cache of the worker before Workbox (it kept every page it served, anyone's, and is
// otherwise deleted only once the new worker activates), and Workbox's record of the kept pages' ages
// (its IndexedDB database, which names their URLs). The queued actions stay: each person's are their own
// and wait for them (field.js).
(function () {
  "use strict";
  var EXPIRATION = "workbox-expiration";
  if (window.caches) {
    caches.delete("aftercare-field-pages");
    caches.delete("aftercare-field-v1");
  }
  if (!window.indexedDB) return;
  if (indexedDB.databases) {  // every database of Workbox's expiration, whatever a later version names it
    indexedDB.databases().then(function (found) {
      found.forEach(function (database) {
        if (database.name && database.name.indexOf(EXPIRATION) === 0) indexedDB.deleteDatabase(database.name);
      });
    }, function () { indexedDB.deleteDatabase(EXPIRATION); });
  } else {
    indexedDB.deleteDatabase(EXPIRATION);
  }
})();

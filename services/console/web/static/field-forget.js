// The sign-in page (after signing out, or once a session has ended) empties the pages the phone kept
// for the last engineer (field-sw.js): whoever signs in next on this phone sees none of them, even with
// no signal. The queued actions stay: each person's are their own and wait for them (field.js).
(function () {
  "use strict";
  if (window.caches) caches.delete("aftercare-field-pages");
})();

// A note written on the phone shows in the ticket's list at once, marked as waiting to send, and the
// box is emptied for the next one; once sent (or refused) it says so. static/field.js keeps and sends it
// like every action; this only watches the form being kept (its data-state turning "queued") whichever
// of the two runs first, and reads field.js's queue and its log of each action's state (localStorage) to
// tell what became of it: sent, or refused with why.
(function () {
  "use strict";
  var form = document.getElementById("note"), list = document.getElementById("note-list");
  var words = (document.getElementById("note-words") || {dataset: {}}).dataset;
  var person = (document.getElementById("phone-words") || {dataset: {}}).dataset.person;
  var QUEUE = "aftercare.field.queue." + person, LOG = "aftercare.field.log." + person;
  if (!form || !list) return;

  function load(name) {
    try { return JSON.parse(localStorage.getItem(name) || "[]"); } catch (e) { return []; }
  }
  function keys(name) { return load(name).map(function (a) { return a.key; }); }

  // Whenever the count of what waits changes, the notes no longer waiting say whether they went: the
  // log field.js keeps says refused (and why) for one the ticket's service would not take.
  function settle() {
    var waiting = keys(QUEUE), log = load(LOG);
    list.querySelectorAll("li[data-pending][data-key]").forEach(function (item) {
      if (waiting.indexOf(item.dataset.key) >= 0) return;
      var entry = log.filter(function (e) { return e.key === item.dataset.key; })[0] || {};
      if (entry.state === "waiting" || entry.state === "sending") return;  // its answer not logged yet
      var refused = entry.state === "refused";
      delete item.dataset.pending;
      item.dataset.state = refused ? "refused" : "sent";
      item.querySelector(".muted").textContent = " " + (refused ? words.refused + (entry.why ? ": " + entry.why : "") : words.sent);
      if (refused) item.classList.add("problem");
    });
  }
  var count = document.getElementById("queue-state");
  if (count) new MutationObserver(settle).observe(count, {attributes: true, attributeFilter: ["data-waiting"]});

  // Capturing on the window runs before any handler on the document: the state is cleared before
  // field.js sets it again for this note.
  window.addEventListener("submit", function (event) {
    if (event.target === form) delete form.dataset.state;
  }, true);

  form.addEventListener("submit", function () {
    var text = form.elements.text.value, forCustomer = form.elements["for"].value === "customer";
    setTimeout(function () {  // after every submit handler: field.js has kept the note, or could not
      if (form.dataset.state !== "queued") return;
      var none = list.querySelector("[data-none]");
      if (none) none.remove();
      var item = document.createElement("li"), tag = document.createElement("span");
      var state = document.createElement("span"), body = document.createElement("div");
      var kept = keys(QUEUE);
      item.dataset.action = forCustomer ? "note_for_customer" : "note";
      item.dataset.pending = "true";
      item.dataset.key = kept[kept.length - 1] || "";  // field.js has just put it last
      tag.className = "tag";
      tag.textContent = forCustomer ? words.customer : words.staff;
      state.className = "muted";
      state.textContent = " " + words.waiting;
      body.textContent = text;
      item.append(tag, state, body);
      list.appendChild(item);
      form.elements.text.value = "";
      settle();  // already sent, when the phone is online
    }, 0);
  });
})();

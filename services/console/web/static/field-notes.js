// A note written on the phone shows in the ticket's list at once, marked as waiting to send, and the
// box is emptied for the next one. static/field.js keeps and sends it like every action; this only
// watches for the form being kept (its data-state turning "queued") whichever of the two runs first.
(function () {
  "use strict";
  var form = document.getElementById("note"), list = document.getElementById("note-list");
  var words = (document.getElementById("note-words") || {dataset: {}}).dataset;
  if (!form || !list) return;

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
      item.dataset.action = forCustomer ? "note_for_customer" : "note";
      item.dataset.pending = "true";
      tag.className = "tag";
      tag.textContent = forCustomer ? words.customer : words.staff;
      state.className = "muted";
      state.textContent = " " + words.waiting;
      body.textContent = text;
      item.append(tag, state, body);
      list.appendChild(item);
      form.elements.text.value = "";
    }, 0);
  });
})();

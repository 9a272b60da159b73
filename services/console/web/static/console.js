// Countdowns tick every second from the deadline the server rendered (data-due, data-started);
// every change sends the session's CSRF token; the signature pad turns a drawing into a PNG.
(function () {
  "use strict";
  var LEVELS = ["calm", "watch", "at_risk", "breached"];

  function level(started, due, now) {
    if (now >= due) return "breached";
    var used = (now - started) / Math.max(due - started, 1);
    return used >= 0.8 ? "at_risk" : used >= 0.5 ? "watch" : "calm";
  }

  function format(ms) {
    var late = ms < 0, s = Math.floor(Math.abs(ms) / 1000);
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    var text = (h > 0 ? h + "h " : "") + String(m).padStart(2, "0") + "m " + String(r).padStart(2, "0") + "s";
    return late ? "-" + text : text;
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var due = Date.parse(el.dataset.due), started = Date.parse(el.dataset.started);
      var risk = level(started, due, now);
      el.textContent = format(due - now);
      LEVELS.forEach(function (l) { el.classList.toggle("risk-" + l, l === risk); });
      var row = el.closest("tr");
      if (row) LEVELS.forEach(function (l) { row.classList.toggle("risk-row-" + l, l === risk); });
    });
  }
  setInterval(tick, 1000);
  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSwap", tick);

  // Behaviour that would otherwise be inline attributes, which the Content-Security-Policy refuses.
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-submit-on-change]")) event.target.form.submit();
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-opens-plan]")) return;
    event.preventDefault();
    location.href = form.dataset.opensPlan + encodeURIComponent(form.code.value);
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!form.matches || !form.matches("[data-resets-after-receipt]")) return;
    if (event.detail.successful && event.detail.target && event.detail.target.id === "receipt") {
      // The next call is most often about the same site: it stays chosen, the rest is cleared.
      var site = form.querySelector("[name=site_code]"), keptSite = site ? site.value : null;
      form.reset();
      if (site) site.value = keptSite;
      document.getElementById("preview").innerHTML = "";
    }
  });

  document.addEventListener("htmx:configRequest", function (event) {
    var token = document.querySelector("meta[name=csrf-token]");
    if (token) event.detail.headers["X-CSRF-Token"] = token.content;
  });

  function signaturePad(canvas) {
    var ctx = canvas.getContext("2d"), drawing = false, drawn = false;
    // One pixel per CSS pixel, whatever the screen's density: the PNG stays a few kilobytes, well
    // inside what a form may carry.
    function fit() {
      canvas.width = canvas.clientWidth; canvas.height = canvas.clientHeight;
      ctx.lineWidth = 2.2; ctx.lineCap = "round"; ctx.strokeStyle = "#10204a";
    }
    // A pad in a form hidden when the page loads (the phone offers a move only once it applies) has no
    // size yet: it takes its size when it is shown, as long as nobody has signed on it.
    if (window.ResizeObserver) {
      new ResizeObserver(function () {
        if (!drawn && canvas.clientWidth && canvas.width !== canvas.clientWidth) fit();
      }).observe(canvas);
    }
    function at(e) { var r = canvas.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; }
    canvas.addEventListener("pointerdown", function (e) { drawing = true; var p = at(e); ctx.beginPath(); ctx.moveTo(p[0], p[1]); });
    canvas.addEventListener("pointermove", function (e) { if (!drawing) return; var p = at(e); ctx.lineTo(p[0], p[1]); ctx.stroke(); drawn = true; });
    ["pointerup", "pointerleave"].forEach(function (n) { canvas.addEventListener(n, function () { drawing = false; }); });
    fit();
    var form = canvas.closest("form"), field = form.querySelector("input[name=signature_png]");
    form.querySelector("[data-clear]").addEventListener("click", function () { ctx.clearRect(0, 0, canvas.width, canvas.height); drawn = false; });
    form.addEventListener("submit", function (e) {
      if (!drawn) { e.preventDefault(); form.querySelector("[data-need-signature]").hidden = false; return; }
      field.value = canvas.toDataURL("image/png");
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas.signature").forEach(signaturePad);
  });

  // A photo resized in the browser, to 1280 pixels on the long side: some 100 kB to keep and to send
  // (the phone's work page uses it too).
  function resized(file) {
    return createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, 1280 / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale); canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", 0.75); });
    });
  }
  window.aftercareResized = resized;

  // The customer's report: its words go as the form, then each photo as the picture itself, to the
  // ticket the report opened; without photos (or without this script) the form posts as it is.
  document.addEventListener("submit", async function (event) {
    var form = event.target, input = form.matches("form[data-with-photos]") && form.querySelector("input[type=file]");
    if (!input || !input.files.length) return;
    event.preventDefault();
    if (input.files.length > Number(input.dataset.max || 3)) { form.querySelector("#photos-refused").hidden = false; return; }
    form.querySelector("button[type=submit]").disabled = true;
    var answer = await fetch(form.action, {method: "POST", body: new URLSearchParams(new FormData(form)), credentials: "same-origin"});
    var opened = new URL(answer.url).pathname.match(/^\/tickets\/([^/]+)$/);
    if (!answer.ok || !opened) { document.open(); document.write(await answer.text()); document.close(); return; }
    var token = document.querySelector("meta[name=csrf-token]").content;
    for (var i = 0; i < input.files.length; i++) {
      var picture = await resized(input.files[i]), taken = encodeURIComponent(new Date().toISOString());
      // The archive hears of the new ticket a moment after intake opened it: a 404 is tried again.
      for (var attempt = 0; attempt < 20; attempt++) {
        var sent = await fetch("/tickets/" + opened[1] + "/reported-photos?taken_at=" + taken, {
          method: "POST", credentials: "same-origin", body: picture,
          headers: {"Content-Type": "image/jpeg", "X-CSRF-Token": token}
        });
        if (sent.status !== 404) break;
        await new Promise(function (resolve) { setTimeout(resolve, 500); });
      }
    }
    window.location.assign(answer.url);
  });

  // A file sent as it is (a site file, an equipment register): the body is the file itself, its type the
  // form's or the browser's; the answer is the page to show (where the console sends the browser, or why not).
  document.addEventListener("submit", async function (event) {
    var form = event.target, input = form.matches("form[data-raw-upload]") && form.querySelector("input[type=file]");
    if (!input || !input.files.length) return;
    event.preventDefault();
    var file = input.files[0], token = document.querySelector("meta[name=csrf-token]").content;
    var type = form.dataset.type || file.type || (file.name.endsWith(".csv") ? "text/csv" : "application/octet-stream");
    form.querySelector("button[type=submit]").disabled = true;
    var answer = await fetch(form.action, {method: "POST", credentials: "same-origin", body: file,
                                           headers: {"Content-Type": type, "X-CSRF-Token": token}});
    if (answer.redirected) { window.location.assign(answer.url); return; }
    document.open(); document.write(await answer.text()); document.close();
  });

  // The subsystem picker offers the chosen site's subsystems only.
  document.addEventListener("change", function (event) {
    if (event.target.id !== "site_code" || !document.getElementById("subsystem")) return;
    var chosen = event.target.selectedOptions[0], picker = document.getElementById("subsystem");
    var offered = (chosen && chosen.dataset.subsystems || "").split(",");
    Array.prototype.forEach.call(picker.options, function (option) {
      option.hidden = option.value !== "" && offered.indexOf(option.value) < 0;
    });
    if (picker.selectedOptions[0] && picker.selectedOptions[0].hidden) picker.value = "";
  });
})();

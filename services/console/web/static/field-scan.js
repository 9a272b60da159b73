// Reading a serial number from a device's label with the phone's camera: a "Scan" button beside every
// input[data-scan] opens the camera (the back one where there are two) and reads the first barcode or
// QR code it sees into the input, which stays typeable. The browser's own BarcodeDetector reads where it
// has one (Android's Chrome); elsewhere ZXing-C++ compiled to WebAssembly (vendor/zxing-wasm-*), the
// same formats, on the phone itself: nothing leaves it, and it reads offline once the page is kept.
(function () {
  "use strict";
  var dialog = document.getElementById("scanner");
  if (!dialog || !document.querySelector("input[data-scan]")) return;
  var video = dialog.querySelector("video"), state = dialog.querySelector("[data-state]");
  var EVERY_MS = 150;  // a frame read about six times a second: quick to answer, easy on the battery
  // What device labels carry: linear codes and the 2D ones. EAN/UPC name a product, not one device.
  var NATIVE = ["code_128", "code_39", "code_93", "codabar", "itf", "qr_code", "data_matrix", "pdf417", "aztec"];
  var ZXING = ["Code128", "Code39", "Code93", "Codabar", "ITF", "QRCode", "DataMatrix", "PDF417", "Aztec"];
  var stream = null, target = null, timer = null, reading = null;

  // The browser's reader when it has one that knows these formats; the vendored one otherwise.
  async function reader() {
    if ("BarcodeDetector" in window) {
      try {
        var known = await window.BarcodeDetector.getSupportedFormats();
        var wanted = NATIVE.filter(function (f) { return known.indexOf(f) >= 0; });
        if (wanted.length) {
          var detector = new window.BarcodeDetector({formats: wanted});
          return {name: "native", read: async function () {
            var found = await detector.detect(video);
            return found.length ? found[0].rawValue : null;
          }};
        }
      } catch (unusable) { /* no reader behind the name (a desktop without one): the vendored one */ }
    }
    var zxing = window.ZXingWASM, wasm = dialog.dataset.wasm;
    try {  // the WebAssembly from this console, never from a CDN; loaded once, kept by the page
      await zxing.prepareZXingModule({overrides: {locateFile: function () { return wasm; }}, fireImmediately: true});
    } catch (unloaded) {  // offline before the phone ever kept it: asked again on the next scan
      if (zxing) zxing.purgeZXingModule();  // no reader at all when its script could not be loaded
      return null;
    }
    var canvas = document.createElement("canvas"), context = canvas.getContext("2d", {willReadFrequently: true});
    return {name: "zxing", read: async function () {
      if (!video.videoWidth) return null;
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0);
      var found = await zxing.readBarcodes(context.getImageData(0, 0, canvas.width, canvas.height),
                                           {formats: ZXING, maxNumberOfSymbols: 1, tryHarder: true});
      return found.length && found[0].isValid ? found[0].text : null;
    }};
  }

  async function open(input) {
    target = input;
    state.textContent = dialog.dataset.looking;
    dialog.showModal();
    var camera;
    try {
      camera = await navigator.mediaDevices.getUserMedia({video: {facingMode: {ideal: "environment"}}, audio: false});
    } catch (refused) {  // no camera, or the engineer said no: typing is the way
      state.textContent = dialog.dataset.noCamera;
      return;
    }
    if (!dialog.open) return camera.getTracks().forEach(function (track) { track.stop(); });  // cancelled meanwhile
    stream = camera;
    video.srcObject = stream;
    await video.play().catch(function () { /* autoplay refused: frames still come */ });
    reading = await reader();
    if (!reading) { state.textContent = dialog.dataset.noReader; return stop(); }
    look();
  }

  function look() {
    if (!stream || !reading) return;
    reading.read().then(function (text) {
      if (text && text.trim()) return done(text.trim());
      timer = setTimeout(look, EVERY_MS);
    }, function () { timer = setTimeout(look, EVERY_MS); });  // a frame it could not read: the next one
  }

  function done(text) {
    var input = target, by = reading.name;
    dialog.close();
    var limit = input.maxLength > 0 ? input.maxLength : text.length;
    input.value = text.slice(0, limit);
    input.dataset.scannedBy = by;
    input.dispatchEvent(new Event("input", {bubbles: true}));
    input.dispatchEvent(new Event("change", {bubbles: true}));
    input.focus();
  }

  function stop() {
    clearTimeout(timer);
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    reading = null;
    video.srcObject = null;
  }

  dialog.addEventListener("close", stop);
  dialog.querySelector("[data-close]").addEventListener("click", function () { dialog.close(); });
  document.querySelectorAll("input[data-scan]").forEach(function (input) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "quiet";
    button.dataset.scanFor = input.id;
    button.textContent = dialog.dataset.scan;
    // Its name says which input it reads into: "Scan: <the input's label>".
    var label = document.querySelector("label[for='" + input.id + "']");
    var named = label ? label.textContent.trim() : input.name;
    button.setAttribute("aria-label", dialog.dataset.scanFor.replace("%(field)s", named));
    button.addEventListener("click", function () { open(input); });
    input.insertAdjacentElement("afterend", button);
  });
})();

// tinycnn browser demo logic: load the bundle and the model, classify a
// drawing (canvas ImageData) or an uploaded file (PNG bytes go to the
// runtime's own decoder; other formats are decoded by the browser), render
// the top-3 as bars. #results[data-result] holds the last answer as JSON and
// #status[data-state] is loading | ready | busy | error (used by tests).

const params = new URLSearchParams(location.search);
const libUrl = new URL(params.get("lib") ?? "../../dist/tinycnn.min.js", location.href).href;
const modelUrl = new URL(params.get("model") ?? "../../weights/fashion-mnist.tcnn", location.href).href;
const backendChoice = params.get("backend") ?? "auto";

const $ = (id) => document.getElementById(id);
const status = $("status"), pad = $("pad"), results = $("results");
const ctx = pad.getContext("2d", { willReadFrequently: true });

function setStatus(state, text) {
  status.dataset.state = state;
  status.textContent = text;
}

function clearPad() {
  ctx.fillStyle = "#000";
  ctx.fillRect(0, 0, pad.width, pad.height);
}

function show(top, backend, ms) {
  results.replaceChildren(...top.map((p) => {
    const li = document.createElement("li");
    const pct = (p.probability * 100).toFixed(1);
    li.innerHTML = `<div class="label"><span></span><span>${pct}%</span></div>` +
      `<div class="bar"><span style="width:${pct}%"></span></div>`;
    li.querySelector(".label span").textContent = p.label;
    return li;
  }));
  results.dataset.result = JSON.stringify(top);
  $("backend").textContent = backend;
  $("ms").textContent = `(${ms.toFixed(1)} ms)`;
}

/** The model's layers, each with the layers it reads when that is not the previous one (a graph's joins). */
function showLayers(summary) {
  $("layers").replaceChildren(...summary.layers.map((l) => {
    const li = document.createElement("li");
    const chain = l.inputs.length === 1 && l.inputs[0] === l.index - 1;
    const from = chain ? "" : ` ← ${l.inputs.map((j) => (j < 0 ? "input" : j)).join(", ")}`;
    li.textContent = `${l.type}${l.name ? ` "${l.name}"` : ""} (${l.outputShape.join("×")})${from}`;
    return li;
  }));
}

let model = null;

async function run(input) {
  if (!model) return;
  setStatus("busy", "Classifying…");
  try {
    const t0 = performance.now();
    const top = await model.classify(input, { topK: 3 });
    show(top, model.backend, performance.now() - t0);
    setStatus("ready", `Ready — backend: ${model.backend}`);
  } catch (e) {
    setStatus("error", `${e.name}: ${e.message}`);
  }
}

function isPng(b) {
  return b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
}

async function onFile(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  // show it on the pad, scaled to fit
  const bmp = await createImageBitmap(new Blob([bytes]));
  clearPad();
  const s = Math.min(pad.width / bmp.width, pad.height / bmp.height);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(
    bmp,
    (pad.width - bmp.width * s) / 2,
    (pad.height - bmp.height * s) / 2,
    bmp.width * s,
    bmp.height * s,
  );
  if (isPng(bytes)) return run(bytes);
  const c = new OffscreenCanvas(bmp.width, bmp.height);
  const cx = c.getContext("2d");
  cx.drawImage(bmp, 0, 0);
  return run(cx.getImageData(0, 0, bmp.width, bmp.height));
}

// drawing with pointer events
let drawing = false, last = null;
pad.addEventListener("pointerdown", (e) => {
  drawing = true;
  last = [e.offsetX, e.offsetY];
  pad.setPointerCapture(e.pointerId);
});
pad.addEventListener("pointermove", (e) => {
  if (!drawing) return;
  ctx.strokeStyle = "#fff";
  ctx.lineWidth = 22;
  ctx.lineCap = "round";
  ctx.beginPath();
  ctx.moveTo(...last);
  ctx.lineTo(e.offsetX, e.offsetY);
  ctx.stroke();
  last = [e.offsetX, e.offsetY];
});
pad.addEventListener("pointerup", () => (drawing = false));
$("clear").addEventListener("click", () => (clearPad(), results.replaceChildren()));
$("classify").addEventListener("click", () => run(ctx.getImageData(0, 0, pad.width, pad.height)));
$("file").addEventListener("change", (e) => e.target.files[0] && onFile(e.target.files[0]));

clearPad();
try {
  const { loadModel } = await import(libUrl);
  const res = await fetch(modelUrl);
  if (!res.ok) throw new Error(`could not fetch the model ${modelUrl}: HTTP ${res.status}`);
  model = await loadModel(new Uint8Array(await res.arrayBuffer()), { backend: backendChoice });
  $("backend").textContent = model.backend;
  showLayers(model.summary());
  setStatus("ready", `Ready — backend: ${model.backend}`);
} catch (e) {
  setStatus("error", `Could not load: ${e.name}: ${e.message}`);
}

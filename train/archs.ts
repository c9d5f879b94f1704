// Built-in architectures by name, or a JSON file {inputShape, layers}.
// Invariants: every net ends in raw logits, one per class (the exported model
// appends softmax); the layer chain is validated with the runtime's shape
// rules (dropout/batchnorm are shape-preserving and skipped for that check)
// and must match the dataset's input shape and class count.

import { type LayerSpec, macs, paramCount, resolveLayers } from "../runtime/spec.ts";
import type { TrainConfig, TrainLayerSpec } from "./backend.ts";

export interface Arch {
  name: string;
  inputShape: number[];
  layers: TrainLayerSpec[];
}

export const ARCH_NAMES = ["small", "lenet", "edge", "tiny", "fcn", "tcn"] as const;

/**
 * A plain CNN in short notation: per entry of `filters` a block conv2d (3×3,
 * same padding) → [batchnorm] → relu → maxpool 2×2, then flatten and one
 * dense layer per entry of `units`; hidden dense layers get [batchnorm] →
 * relu → [dropout], the last one gives the raw logits.
 *
 * @example
 * ```ts
 * import { convNet } from "./archs.ts";
 * const layers = convNet([8, 16], [10]);
 * if (layers.length !== 8 || layers[7].type !== "dense") throw new Error();
 * ```
 */
export function convNet(
  filters: number[],
  units: number[],
  opts: { batchnorm?: boolean; dropout?: number } = {},
): TrainLayerSpec[] {
  const bn: TrainLayerSpec[] = opts.batchnorm ? [{ type: "batchnorm" }] : [];
  const out: TrainLayerSpec[] = filters.flatMap((f): TrainLayerSpec[] => [
    { type: "conv2d", filters: f, kernel: 3, padding: "same" },
    ...bn,
    { type: "relu" },
    { type: "maxpool2d", size: 2 },
  ]);
  out.push({ type: "flatten" });
  units.forEach((u, i) => {
    out.push({ type: "dense", units: u });
    if (i === units.length - 1) return;
    out.push(...bn, { type: "relu" });
    if (opts.dropout) out.push({ type: "dropout", rate: opts.dropout });
  });
  return out;
}

function builtin(name: string, classes: number): TrainLayerSpec[] | null {
  switch (name) {
    case "tcn": // 1-D dilated causal stack (WaveNet/TCN style): receptive field 1 + 2·(1+2+4+8+16) = 63 steps
      return [
        ...[1, 2, 4, 8, 16].flatMap((d): TrainLayerSpec[] => [
          { type: "conv1d", filters: 32, kernel: 3, dilation: d, padding: "causal" },
          { type: "batchnorm" },
          { type: "relu" },
        ]),
        { type: "globalavgpool" },
        { type: "dense", units: classes },
      ];
    case "fcn": // 1-D fully convolutional net (Wang et al. 2017, filters halved): series (C,L) of any length
      return [
        { type: "conv1d", filters: 64, kernel: 8, padding: "same" },
        { type: "batchnorm" },
        { type: "relu" },
        { type: "conv1d", filters: 128, kernel: 5, padding: "same" },
        { type: "batchnorm" },
        { type: "relu" },
        { type: "conv1d", filters: 64, kernel: 3, padding: "same" },
        { type: "batchnorm" },
        { type: "relu" },
        { type: "globalavgpool" },
        { type: "dense", units: classes },
      ];
    case "tiny": // ~2k params: for tests and smoke runs
      return [
        { type: "conv2d", filters: 4, kernel: 3, stride: 2, padding: "same" },
        { type: "relu" },
        { type: "maxpool2d", size: 2 },
        { type: "flatten" },
        { type: "dense", units: classes },
      ];
    case "small":
      return convNet([16, 32], [classes]);
    case "lenet":
      return [
        { type: "conv2d", filters: 20, kernel: 5 },
        { type: "maxpool2d", size: 2 },
        { type: "conv2d", filters: 50, kernel: 5 },
        { type: "maxpool2d", size: 2 },
        { type: "flatten" },
        { type: "dense", units: 500 },
        { type: "relu" },
        { type: "dense", units: classes },
      ];
    case "edge": // ~97k params, ~1.9M MACs/sample, the shipped Fashion-MNIST model: 16×28×28 → 32×14×14 → 64×7×7 → 576 → 120
      return convNet([16, 32, 64], [120, classes], { batchnorm: true, dropout: 0.3 });
  }
  return null;
}

/**
 * The backend configuration of an architecture with the defaults: softmax
 * cross-entropy and Adam.
 *
 * @example
 * ```ts
 * import { archConfig, loadArch } from "./archs.ts";
 * const cfg = archConfig(await loadArch("tiny", [1, 28, 28], 10), 1);
 * if (cfg.loss !== "softmax_xent" || cfg.optimizer.type !== "adam") throw new Error();
 * ```
 */
export function archConfig(a: Arch, seed: number): TrainConfig {
  return {
    inputShape: a.inputShape,
    layers: a.layers,
    loss: "softmax_xent",
    optimizer: { type: "adam" },
    seed,
  };
}

/** The layer chain a built-in architecture exports to: training-only layers gone, softmax appended. */
export function exportedLayers(name: typeof ARCH_NAMES[number], classes = 10): LayerSpec[] {
  return [...inferenceLayers(builtin(name, classes)!), { type: "softmax" }];
}

/** Layers the runtime knows (training-only layers removed), for shape checks and counts. */
export function inferenceLayers(layers: TrainLayerSpec[]): LayerSpec[] {
  return layers.filter((l) => l.type !== "dropout" && l.type !== "batchnorm") as LayerSpec[];
}

/** Parameters and forward MACs per sample of an architecture (batchnorm adds 2 per channel). */
export function archStats(a: Arch): { params: number; macs: number } {
  const r = resolveLayers(inferenceLayers(a.layers), a.inputShape);
  let params = r.reduce((s, l) => s + paramCount(l), 0);
  // batchnorm gamma/beta: 2 per channel of the preceding layer's output
  let k = 0;
  for (const l of a.layers) {
    if (l.type === "batchnorm") params += 2 * r[k - 1].outShape[0];
    else if (l.type !== "dropout") k++;
  }
  return { params, macs: r.reduce((s, l) => s + macs(l), 0) };
}

function checkArch(a: Arch, inputShape: number[], classes: number, where: string): Arch {
  if (JSON.stringify(a.inputShape) !== JSON.stringify(inputShape)) {
    throw new TypeError(
      `${where}: input shape (${a.inputShape.join(",")}) does not match the dataset's (${
        inputShape.join(",")
      })`,
    );
  }
  for (const [i, l] of a.layers.entries()) {
    if (l.type === "dropout" && !(typeof l.rate === "number" && l.rate >= 0 && l.rate < 1)) {
      throw new RangeError(
        `${where}: layer ${i} dropout rate must be in [0, 1), got ${JSON.stringify(l.rate)}`,
      );
    }
    if (
      l.type === "batchnorm" && (i === 0 || !["conv2d", "conv1d", "dense"].includes(a.layers[i - 1].type))
    ) {
      throw new TypeError(
        `${where}: layer ${i} batchnorm must directly follow a conv or dense layer (it is folded)`,
      );
    }
  }
  let resolved;
  try {
    resolved = resolveLayers(inferenceLayers(a.layers), a.inputShape);
  } catch (e) {
    const E = e instanceof RangeError ? RangeError : TypeError;
    const conv2d = a.layers.some((l) => l.type === "conv2d"),
      conv1d = a.layers.some((l) => l.type === "conv1d");
    const hint = a.inputShape.length === 2 && conv2d
      ? " (the data are series (C,L): use --arch fcn or a conv1d architecture)"
      : a.inputShape.length === 3 && conv1d
      ? " (the data are images (C,H,W): use a conv2d architecture such as small)"
      : "";
    throw new E(`${where}: ${(e as Error).message}${hint}`);
  }
  const out = resolved[resolved.length - 1].outShape;
  if (out.length !== 1 || out[0] !== classes) {
    throw new TypeError(`${where}: network output is (${out.join(",")}), expected ${classes} logits`);
  }
  if (a.layers[a.layers.length - 1].type === "softmax") {
    throw new TypeError(`${where}: end in raw logits, not softmax (the exported model appends softmax)`);
  }
  return a;
}

/** Resolve `--arch` (a built-in name or a JSON file path) for a dataset. */
export async function loadArch(nameOrPath: string, inputShape: number[], classes: number): Promise<Arch> {
  const b = builtin(nameOrPath, classes);
  if (b) {
    return checkArch({ name: nameOrPath, inputShape, layers: b }, inputShape, classes, `arch ${nameOrPath}`);
  }
  if (!nameOrPath.endsWith(".json")) {
    throw new TypeError(
      `unknown architecture ${JSON.stringify(nameOrPath)}, expected one of ${
        ARCH_NAMES.join(", ")
      } or a .json file`,
    );
  }
  let text: string;
  try {
    text = await Deno.readTextFile(nameOrPath);
  } catch (e) {
    throw new TypeError(`${nameOrPath}: cannot read architecture file (${(e as Error).message})`);
  }
  let j: { inputShape?: unknown; layers?: unknown };
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new TypeError(`${nameOrPath}: not valid JSON (${(e as Error).message})`);
  }
  if (!j || !Array.isArray(j.layers)) {
    throw new TypeError(`${nameOrPath}: expected {"inputShape": [...], "layers": [...]}`);
  }
  const a: Arch = {
    name: nameOrPath,
    inputShape: Array.isArray(j.inputShape) ? j.inputShape as number[] : inputShape,
    layers: j.layers as TrainLayerSpec[],
  };
  return checkArch(a, inputShape, classes, nameOrPath);
}

/** A layer chain from elsewhere (e.g. --init's model), checked like a JSON architecture. */
export function archFromLayers(
  name: string,
  layers: TrainLayerSpec[],
  inputShape: number[],
  classes: number,
): Arch {
  return checkArch({ name, inputShape, layers }, inputShape, classes, name);
}

// Built-in architectures by name, or a JSON file {inputShape, layers}.
// Invariants: every net ends in raw logits, one per class (the exported model
// appends softmax); the layer chain is validated with the runtime's shape
// rules (dropout/batchnorm are shape-preserving and skipped for that check)
// and must match the dataset's input shape and class count.

import { type LayerSpec, macs, resolveLayers } from "../runtime/format/spec.ts";
import type { TrainConfig, TrainLayerSpec } from "./backend.ts";
import { linkInputs, withInputs } from "../runtime/graph.ts";
import { checkInputRange, type InputRange } from "../runtime/input/input_range.ts";
import { prod, resolveTrainLayers, trainParamShapes } from "./layers.ts";
import { quote } from "../runtime/quote.ts";

export interface Arch {
  name: string;
  inputShape: number[];
  layers: TrainLayerSpec[];
  /**
   * a fully convolutional architecture: the sizes the exported model also runs at (format 1.1 inputRange).
   * Opt-in (a JSON file's or train()'s `inputRange`): a net trained at one size is only measured at that size.
   */
  inputRange?: InputRange;
}

export const ARCH_NAMES = ["small", "lenet", "edge", "tiny", "fcn", "tcn", "resnet-s"] as const;

/** The short residual-block notation of an architecture file: expanded by expandBlocks. */
export interface ResidualBlock {
  /** the block notation's marker */
  type: "residual";
  /** output channels of both convs (and of the projection) */
  filters: number;
  /** stride of the first conv (and of the projection), default 1 */
  stride?: number;
  /** kernel of both convs, default 3 */
  kernel?: number;
  /** 1 for conv1d blocks (series), default 2 */
  dims?: 1 | 2;
}

/**
 * Expand residual blocks ({"type": "residual", "filters": f, "stride": s})
 * into conv → batchnorm → relu → conv → batchnorm, a shortcut (the block's
 * input, or a 1×1 conv → batchnorm projection when the stride or the channel
 * count changes), add and relu (He et al. 2016, basic block). Other layers
 * pass through; links are renumbered past the expansion.
 *
 * @example
 * ```ts
 * import { expandBlocks } from "./archs.ts";
 * const layers = expandBlocks([{ type: "conv2d", filters: 8, kernel: 3 }, { type: "residual", filters: 8 }], [1, 9, 9]);
 * if (layers.length !== 8 || layers[6].type !== "add") throw new Error(JSON.stringify(layers));
 * ```
 */
export function expandBlocks(
  layers: (TrainLayerSpec | ResidualBlock)[],
  inputShape: number[],
): TrainLayerSpec[] {
  if (!layers.some((l) => l?.type === "residual")) return layers as TrainLayerSpec[];
  const out: TrainLayerSpec[] = [];
  const at: number[] = []; // at[i]: expanded index of input layer i's output
  layers.forEach((l, i) => {
    if (l?.type !== "residual") {
      const ins = (l as { inputs?: (number | string)[] }).inputs;
      const spec = { ...l } as TrainLayerSpec;
      if (ins !== undefined) spec.inputs = ins.map((r) => (typeof r === "number" ? at[r] : r));
      else if (out.length > 0 && at.length > 0 && at[i - 1] !== out.length - 1) spec.inputs = [at[i - 1]];
      out.push(spec);
      at.push(out.length - 1);
      return;
    }
    const b = l as ResidualBlock;
    const from = i === 0 ? -1 : at[i - 1];
    const inC = from < 0 ? inputShape[0] : resolveTrainLayers(out, inputShape)[from].outShape[0];
    const conv = b.dims === 1 ? "conv1d" : "conv2d";
    const k = b.kernel ?? 3, s = b.stride ?? 1;
    const src: number | "input" = from < 0 ? "input" : from;
    out.push(
      { type: conv, filters: b.filters, kernel: k, stride: s, padding: "same", bias: false, inputs: [src] },
      { type: "batchnorm" },
      { type: "relu" },
      { type: conv, filters: b.filters, kernel: k, padding: "same", bias: false },
      { type: "batchnorm" },
    );
    let shortcut: number | "input" = src;
    if (s !== 1 || inC !== b.filters) {
      out.push(
        { type: conv, filters: b.filters, kernel: 1, stride: s, padding: "same", bias: false, inputs: [src] },
        { type: "batchnorm" },
      );
      shortcut = out.length - 1;
    }
    out.push({ type: "add", inputs: [shortcut === src ? out.length - 1 : out.length - 3, shortcut] }, {
      type: "relu",
    });
    at.push(out.length - 1);
  });
  return out;
}

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
    case "resnet-s": // ~78k params, ~2.6M MACs/sample: stem 16×14×14, residual stages 16 → 32 (7×7) → 64 (4×4), global average pool
      return expandBlocks([
        { type: "conv2d", filters: 16, kernel: 3, padding: "same", bias: false },
        { type: "batchnorm" },
        { type: "relu" },
        { type: "maxpool2d", size: 2 },
        { type: "residual", filters: 16 },
        { type: "residual", filters: 32, stride: 2 },
        { type: "residual", filters: 64, stride: 2 },
        { type: "globalavgpool" },
        { type: "dense", units: classes },
      ], [1, 28, 28]);
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

/**
 * Layers the runtime knows (training-only layers removed, graph links
 * renumbered: a removed layer stands for its input), for shape checks and counts.
 */
export function inferenceLayers(layers: TrainLayerSpec[]): LayerSpec[] {
  const links = linkInputs(layers);
  const at: number[] = [];
  const out: LayerSpec[] = [];
  layers.forEach((l, i) => {
    const ins = links[i].map((j) => (j < 0 ? -1 : at[j]));
    if (l.type === "dropout" || l.type === "batchnorm") {
      at.push(ins[0]);
      return;
    }
    at.push(out.length);
    out.push(withInputs(l as LayerSpec, ins, out.length));
  });
  return out;
}

/** Parameters (batchnorm's γ, β included) and forward MACs per sample of an architecture. */
export function archStats(a: Arch): { params: number; macs: number } {
  const r = resolveTrainLayers(a.layers, a.inputShape);
  const params = r.reduce((s, l) => s + trainParamShapes(l).reduce((t, p) => t + prod(p), 0), 0);
  return {
    params,
    macs: r.reduce((s, l) => s + (l.op === "batchnorm" || l.op === "dropout" ? 0 : macs(l)), 0),
  };
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
        `${where}: layer ${i} dropout rate must be in [0, 1), got ${quote(l.rate)}`,
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
  if (a.inputRange !== undefined) {
    try {
      a.inputRange = checkInputRange(a.inputRange, a.inputShape, inferenceLayers(a.layers));
    } catch (e) {
      const E = e instanceof RangeError ? RangeError : TypeError;
      throw new E(`${where}: ${(e as Error).message}`);
    }
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
      `unknown architecture ${quote(nameOrPath)}, expected one of ${ARCH_NAMES.join(", ")} or a .json file`,
    );
  }
  let text: string;
  try {
    text = await Deno.readTextFile(nameOrPath);
  } catch (e) {
    throw new TypeError(`${nameOrPath}: cannot read architecture file (${(e as Error).message})`);
  }
  let j: { inputShape?: unknown; layers?: unknown; inputRange?: unknown };
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new TypeError(`${nameOrPath}: not valid JSON (${(e as Error).message})`);
  }
  if (!j || !Array.isArray(j.layers)) {
    throw new TypeError(`${nameOrPath}: expected {"inputShape": [...], "layers": [...]}`);
  }
  const shape = Array.isArray(j.inputShape) ? j.inputShape as number[] : inputShape;
  const a: Arch = {
    name: nameOrPath,
    inputShape: shape,
    layers: expandBlocks(j.layers as (TrainLayerSpec | ResidualBlock)[], shape),
    ...(j.inputRange !== undefined ? { inputRange: j.inputRange as InputRange } : {}),
  };
  return checkArch(a, inputShape, classes, nameOrPath);
}

/** A layer chain from elsewhere (e.g. --init's model), checked like a JSON architecture. */
export function archFromLayers(
  name: string,
  layers: (TrainLayerSpec | ResidualBlock)[],
  inputShape: number[],
  classes: number,
  inputRange?: InputRange,
): Arch {
  const a: Arch = {
    name,
    inputShape,
    layers: expandBlocks(layers, inputShape),
    ...(inputRange ? { inputRange } : {}),
  };
  return checkArch(a, inputShape, classes, name);
}

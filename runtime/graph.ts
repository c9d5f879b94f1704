// Models as DAGs (format 1.1): how a layer names its inputs, how the links
// are validated, and the one buffer plan both executors (CPU and WebGPU)
// follow. Invariants: layers are in topological order — a layer reads only
// the model input (written "input", index −1 once resolved) or earlier
// layers, by index or by `name`; the default input is the previous layer (the
// model input for layer 0), so a 1.0 chain is a graph with no links written.
// The last layer is the output and every other layer must reach it (an
// unused layer is an error, not dead code). Only joins (add, concat, mul)
// take more than one input, at most MAX_JOIN_INPUTS (mul: exactly 2).

import { quote } from "./quote.ts";

/** How a layer refers to its inputs: earlier layers by index or name, or "input" (the model input). */
export interface LayerLinks {
  /** a unique name other layers may use in `inputs` (letters, digits, `_.-`, 1–64 characters; not "input") */
  name?: string;
  /** the layers this one reads, in order; default: the previous layer */
  inputs?: (number | string)[];
}

/** Most inputs one join (add, concat) takes. */
export const MAX_JOIN_INPUTS = 16;

/** Ops that take several inputs. */
export const JOIN_OPS: readonly string[] = ["add", "concat", "mul"];

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

/** The minimum a graph node exposes to the planners. */
export interface GraphNode {
  op: string;
  /** producer layer indices, −1 = the model input */
  inputs: number[];
  outShape: number[];
}

const prod = (s: number[]): number => s.reduce((a, b) => a * b, 1);

/**
 * Parse every layer's `inputs` into producer indices (−1 = the model input).
 * Throws TypeError on a malformed name or reference (forward references and
 * cycles are references to a layer that is not earlier) and when a layer's
 * output reaches no later layer.
 *
 * @example
 * ```ts
 * import { linkInputs } from "./graph.ts";
 * const links = linkInputs([
 *   { type: "conv2d", name: "a" },
 *   { type: "conv2d" },
 *   { type: "add", inputs: ["a", 1] },
 * ]);
 * if (JSON.stringify(links) !== "[[-1],[0],[0,1]]") throw new Error(JSON.stringify(links));
 * ```
 */
export function linkInputs(specs: readonly (LayerLinks & { type?: unknown })[]): number[][] {
  const byName = new Map<string, number>();
  const links = specs.map((s, i) => {
    const what = `layer ${i} (${s?.type})`;
    const { name, inputs } = s ?? {};
    if (name !== undefined) {
      if (typeof name !== "string" || !NAME.test(name) || name === "input") {
        throw new TypeError(
          `${what}.name must be 1–64 letters, digits or _.- starting with a letter or _ (not "input"), got ${
            quote(name)
          }`,
        );
      }
      if (byName.has(name)) {
        throw new TypeError(`${what}.name ${quote(name)} is already layer ${byName.get(name)}'s`);
      }
    }
    let ins: number[];
    if (inputs === undefined) ins = [i - 1];
    else {
      if (!Array.isArray(inputs) || inputs.length < 1 || inputs.length > MAX_JOIN_INPUTS) {
        throw new TypeError(
          `${what}.inputs must be a list of 1 to ${MAX_JOIN_INPUTS} earlier layers (index or name) or "input", got ${
            quote(inputs)
          }`,
        );
      }
      ins = inputs.map((r, k) => {
        if (r === "input") return -1;
        if (typeof r === "string") {
          const j = byName.get(r);
          if (j === undefined) {
            throw new TypeError(
              `${what}.inputs[${k}]: no earlier layer is named ${
                quote(r)
              } (inputs must come before the layer)`,
            );
          }
          return j;
        }
        if (typeof r !== "number" || !Number.isInteger(r) || r < 0 || r >= i) {
          throw new TypeError(
            `${what}.inputs[${k}] must name an earlier layer: an index in [0, ${
              i - 1
            }], a name or "input", got ${quote(r)}`,
          );
        }
        return r;
      });
    }
    if (name !== undefined) byName.set(name, i);
    return ins;
  });
  const used = new Array(specs.length).fill(false);
  for (const ins of links) for (const j of ins) if (j >= 0) used[j] = true;
  for (let i = 0; i < specs.length - 1; i++) {
    if (!used[i]) {
      throw new TypeError(
        `layer ${i} (${
          specs[i]?.type
        }) is never used: no later layer reads it and only the last layer is the output`,
      );
    }
  }
  return links;
}

/** For each layer (and, at index L, the model input) the layers that read it. */
export function consumers(layers: readonly GraphNode[]): number[][] {
  const out: number[][] = Array.from({ length: layers.length + 1 }, () => []);
  layers.forEach((l, i) => l.inputs.forEach((j) => out[j < 0 ? layers.length : j].push(i)));
  return out;
}

/** One kernel run of a buffer plan: layer `layer` (plus the activation `fused` into it) reads `srcs` and writes `dst`. */
export interface SlotStep {
  layer: number;
  /** an activation layer that runs as this step's epilogue, or null */
  fused: number | null;
  /** buffer slots of the inputs, −1 = the caller's input */
  srcs: number[];
  dst: number;
}

/** Which buffer each layer reads and writes; slots are reused once every reader of their value has run. */
export interface SlotPlan {
  steps: SlotStep[];
  /** elements per sample each slot must hold */
  slotPer: number[];
  /** slot of the model output (−1: the output is the input itself) */
  out: number;
}

/** What a backend can do with a layer: fuse activation `j` into layer `i`, run layer `i` in place. */
export interface PlanRules {
  fuse(i: number, j: number): boolean;
  inPlace(i: number): boolean;
}

/**
 * The buffer plan of a graph: flatten aliases its input (no step), a fusable
 * activation that is the only reader of its producer runs as that step's
 * epilogue, an in-place layer overwrites its input when nothing else still
 * needs it, and a slot is reused once the last reader of its value has run.
 * A chain gets two ping-pong slots.
 *
 * @example
 * ```ts
 * import { planSlots } from "./graph.ts";
 * const node = (op: string, inputs: number[]) => ({ op, inputs, outShape: [4] });
 * const plan = planSlots([node("conv", [-1]), node("act", [0]), node("conv", [1]), node("add", [1, 2])], {
 *   fuse: (i, j) => i === 0 && j === 1,
 *   inPlace: () => false,
 * });
 * if (plan.steps.length !== 3 || plan.slotPer.length !== 3) throw new Error(JSON.stringify(plan));
 * ```
 */
export function planSlots(layers: readonly GraphNode[], rules: PlanRules): SlotPlan {
  const L = layers.length;
  const readers = consumers(layers);
  // value[i]: the layer whose step writes the buffer that holds layer i's output (−1: the input)
  const value: number[] = new Array(L);
  const fusedInto: (number | null)[] = new Array(L).fill(null);
  const skip: boolean[] = new Array(L).fill(false);
  for (let i = 0; i < L; i++) {
    const l = layers[i];
    if (skip[i]) continue;
    if (l.op === "flatten") {
      const j = l.inputs[0];
      value[i] = j < 0 ? -1 : value[j];
      skip[i] = true;
      continue;
    }
    value[i] = i;
    const r = readers[i];
    if (i < L - 1 && r.length === 1 && r[0] === i + 1 && rules.fuse(i, i + 1)) {
      fusedInto[i] = i + 1;
      skip[i + 1] = true;
      value[i + 1] = i;
    }
  }
  const valueOf = (j: number) => (j < 0 ? -1 : value[j]);
  // remaining reads of each value (index L: the input); the output is read once more, at the end
  const uses = new Array(L + 1).fill(0);
  const at = (v: number) => (v < 0 ? L : v);
  for (let i = 0; i < L; i++) {
    if (skip[i]) continue;
    for (const j of layers[i].inputs) uses[at(valueOf(j))]++;
  }
  uses[at(valueOf(L - 1))]++;
  const slotOf = new Map<number, number>([[-1, -1]]);
  const free: number[] = [];
  const slotPer: number[] = [];
  const steps: SlotStep[] = [];
  for (let i = 0; i < L; i++) {
    if (skip[i]) continue;
    const ins = layers[i].inputs.map(valueOf);
    const srcs = ins.map((v) => slotOf.get(v)!);
    const last = fusedInto[i] ?? i;
    const per = prod(layers[last].outShape);
    let dst: number;
    if (rules.inPlace(i) && srcs.length === 1 && srcs[0] >= 0 && uses[at(ins[0])] === 1) dst = srcs[0];
    else {
      dst = free.length ? free.pop()! : slotPer.length;
      if (dst === slotPer.length) slotPer.push(0);
    }
    slotPer[dst] = Math.max(slotPer[dst], per);
    for (const v of ins) {
      if (--uses[at(v)] === 0 && v >= 0 && slotOf.get(v) !== dst) free.push(slotOf.get(v)!);
    }
    slotOf.set(i, dst);
    steps.push({ layer: i, fused: fusedInto[i], srcs, dst });
  }
  return { steps, slotPer, out: slotOf.get(valueOf(L - 1))! };
}

/**
 * `spec` placed at index `k` of a layer list with producer indices `ins`
 * (−1: the input): `inputs` written only where they differ from the default
 * (the previous layer), so a chain stays free of links.
 *
 * @example
 * ```ts
 * import { type LayerLinks, withInputs } from "./graph.ts";
 * const relu: LayerLinks & { type: string } = { type: "relu", inputs: [0] };
 * if (withInputs(relu, [2], 3).inputs !== undefined) throw new Error();
 * if (withInputs({ ...relu, type: "add" }, [-1, 2], 3).inputs?.join() !== "input,2") throw new Error();
 * ```
 */
export function withInputs<S extends LayerLinks & { type: string }>(
  spec: S,
  ins: readonly number[],
  k: number,
): S {
  const out = { ...spec };
  delete out.inputs;
  if (ins.length !== 1 || ins[0] !== k - 1) out.inputs = ins.map((j) => (j < 0 ? "input" : j));
  return out;
}

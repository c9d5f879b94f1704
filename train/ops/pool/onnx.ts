// ONNX MaxPool, AveragePool, GlobalAveragePool and ReduceMean/Sum/Max (over
// the spatial axes, the channels, or both) → pooling layers. auto_pad SAME_* and ceil_mode become
// explicit padding (PyTorch's rule: the last window starts inside the
// input); count_include_pad = 0 is countPad: false; a Pad pending before an
// AveragePool that counts padded cells merges into its padding (before any
// other pool it becomes a pad layer); a series unsqueezed to (N,C,L,1) and
// pooled along L alone is a 1-D pool.

import type { LayerSpec } from "../../../runtime/format/spec.ts";
import { type OnnxMapper, ourPad, prod, same } from "../../convert/onnx_node.ts";
import { attrInt, attrInts, attrString } from "../../convert/onnx_proto.ts";

/** MaxPool / AveragePool. */
const mapMaxPool: OnnxMapper = (ctx) => {
  const { n, op, value, set, emit, no, spatial, noPad } = ctx;
  const x0 = value(0);
  let k0 = attrInts(n, "kernel_shape", undefined) ?? no("kernel_shape is required");
  let strides = attrInts(n, "strides", k0.map(() => 1))!;
  let dil = attrInts(n, "dilations", k0.map(() => 1))!;
  let pads0 = attrInts(n, "pads", [...k0.map(() => 0), ...k0.map(() => 0)])!;
  // a series unsqueezed to (N,C,L,1) and pooled along L alone (PyTorch's AvgPool1d/MaxPool1d export): a 1-D pool
  const unit = x0.ours.length === 2 && same(x0.shape, [...x0.ours, 1]) && k0.length === 2 && k0[1] === 1 &&
    strides[1] === 1 && (dil[1] ?? 1) === 1 && pads0[1] === 0 && pads0[3] === 0 && !x0.pad &&
    attrString(n, "auto_pad", "NOTSET") === "NOTSET";
  if (unit) [k0, strides, dil, pads0] = [[k0[0]], [strides[0]], [dil[0] ?? 1], [pads0[0], pads0[2]]];
  const x = unit ? { ...x0, shape: x0.ours } : x0;
  const d = spatial(x, op);
  const dilated = dil.some((v) => v !== 1);
  if (dilated && op !== "MaxPool") no("dilations are supported for MaxPool only");
  // the window's span (what the padding rules below see): d·(k − 1) + 1
  const k = k0.map((v, i) => (dil[i] ?? 1) * (v - 1) + 1);
  const auto = attrString(n, "auto_pad", "NOTSET");
  let pads = pads0;
  const avg = op === "AveragePool";
  // count_include_pad = 0 divides by the real cells (countPad: false); a merged Pad's zeros are real cells
  const countPad = !avg || attrInt(n, "count_include_pad", 0) === 1 || pads.every((p) => p === 0);
  // a Pad's zeros merge into an AveragePool that counts padded cells; before any other pool they are a layer
  if (x.pad && (!avg || !countPad)) noPad(x);
  if (x.pad) pads = pads.map((p, i) => p + x.pad![i]);
  const sp = x.shape.slice(1);
  if (auto === "SAME_UPPER" || auto === "SAME_LOWER") {
    if (avg) no(`auto_pad ${auto} with AveragePool is not supported`);
    const tot = sp.map((len, i) => Math.max(0, (Math.ceil(len / strides[i]) - 1) * strides[i] + k[i] - len));
    const lo = tot.map((t) => (auto === "SAME_UPPER" ? Math.floor(t / 2) : Math.ceil(t / 2)));
    pads = [...lo, ...tot.map((t, i) => t - lo[i])];
  } else if (auto !== "NOTSET" && auto !== "VALID") no(`auto_pad ${auto} is not supported`);
  if (attrInt(n, "ceil_mode", 0)) {
    // ceil: extra padding after, as long as the last window starts inside the input (PyTorch's rule)
    sp.forEach((len, i) => {
      const span = len + pads[i] + pads[d + i] - k[i];
      let out = Math.ceil(span / strides[i]) + 1;
      if ((out - 1) * strides[i] >= len + pads[i]) out--;
      const extra = (out - 1) * strides[i] + k[i] - (len + pads[i] + pads[d + i]);
      if (extra > 0) {
        if (avg) no("ceil_mode=1 that adds a window is not supported for AveragePool");
        pads[d + i] += extra;
      }
    });
  }
  const pair = (v: number[]) => (d === 2 ? [v[0], v[1]] : v[0]);
  const type = `${avg ? "avg" : "max"}pool${d}d`;
  const spec = {
    type,
    size: pair(k0),
    stride: pair(strides),
    padding: ourPad(pads, d),
    ...(dilated ? { dilation: pair(dil) } : {}),
  };
  const y = emit((countPad ? spec : { ...spec, countPad: false }) as LayerSpec, [x], []);
  set(unit ? { ...y, shape: [...y.shape, 1] } : y);
};

/** GlobalAveragePool. */
const mapGlobalAveragePool: OnnxMapper = (ctx) => {
  const { set, emit, spatialInput } = ctx;
  const [x, d] = spatialInput();
  set(emit({ type: "globalavgpool" }, [x], [], [x.shape[0], ...Array(d).fill(1)]));
};

/**
 * ReduceMean / ReduceSum / ReduceMax over per-sample axes, as existing layers: spatial axes are a pool
 * whose window spans each reduced axis (every one: a global average pool; Sum scales by the count), the
 * channel axis a 1×1 conv (dense on flat data) of weights 1/C or 1 (not Max), both together the two in
 * turn. The batch axis and a max over the channels are refused.
 */
const mapReduce = (kind: "mean" | "sum" | "max"): OnnxMapper => (ctx) => {
  const { n, opset, get, cst, value, set, emit, no, noPad } = ctx;
  const x = value(0);
  noPad(x);
  const r = x.shape.length + 1;
  // axes: an attribute, or input 1 from opset 13 (ReduceSum) / 18 (the others)
  const fromInput = opset >= (kind === "sum" ? 13 : 18);
  const given =
    (fromInput ? (get(1) ? [...cst(1, "axes").data] : undefined) : attrInts(n, "axes", undefined)) ??
      no("reducing every axis, the batch's too, is not supported: give the axes");
  const axes = [...new Set(given.map((a) => (a < 0 ? a + r : a)))].sort((a, b) => a - b);
  if (axes.some((a) => a < 1 || a >= r)) {
    no(`axes ${given.join(",")} of (N,${x.shape.join(",")}): not the batch's`);
  }
  const keep = attrInt(n, "keepdims", 1) === 1;
  const spatialAxes = axes.filter((a) => a >= 2), overChannels = axes.includes(1);
  if (spatialAxes.length && (x.ours.length < 2 || !same(x.shape, x.ours))) {
    no(
      `reducing the spatial axes of (N,${
        x.shape.join(",")
      }) needs an image or series that is not a reshaped view`,
    );
  }
  let y = x;
  if (spatialAxes.length) {
    // a pool whose window is the whole of each reduced axis (1 along the others); every axis: a global pool
    const d = r - 2, dims = x.shape.slice(1);
    const win = dims.map((v, k) => (axes.includes(k + 2) ? v : 1));
    const count = prod(win);
    const out = [x.shape[0], ...dims.map((v, k) => (axes.includes(k + 2) ? 1 : v))];
    const size = d === 2 ? win : win[0];
    if (kind === "max") {
      y = emit({ type: d === 2 ? "maxpool2d" : "maxpool1d", size } as LayerSpec, [y], [], out);
    } else {
      y = spatialAxes.length === d
        ? emit({ type: "globalavgpool" }, [y], [], out)
        : emit({ type: d === 2 ? "avgpool2d" : "avgpool1d", size } as LayerSpec, [y], [], out);
      if (kind === "sum") y = emit({ type: "affine", scale: count, shift: 0 }, [y], [], out);
    }
  }
  if (overChannels) {
    if (kind === "max") no("a max over the channels is not supported");
    const c = y.ours[0], w = Float32Array.from({ length: c }, () => (kind === "mean" ? 1 / c : 1));
    const flat = y.ours.length === 1;
    const spec = flat
      ? { type: "dense", units: 1, bias: false }
      : { type: y.ours.length === 3 ? "conv2d" : "conv1d", filters: 1, kernel: 1, bias: false };
    y = emit(spec as LayerSpec, [y], [w], [1, ...y.shape.slice(1)]);
  }
  // keepdims = 0 drops the reduced axes from the ONNX shape (ours keeps them as 1s)
  set(keep ? y : { ...y, shape: y.shape.filter((_, k) => !axes.includes(k + 1)) });
};

/** The ONNX operators this file maps. */
export const ONNX_POOL: Record<string, OnnxMapper> = {
  MaxPool: mapMaxPool,
  AveragePool: mapMaxPool,
  GlobalAveragePool: mapGlobalAveragePool,
  ReduceMean: mapReduce("mean"),
  ReduceSum: mapReduce("sum"),
  ReduceMax: mapReduce("max"),
};

// ONNX MaxPool, AveragePool, GlobalAveragePool and a ReduceMean over every
// spatial axis → the pooling layers. auto_pad SAME_* and ceil_mode become
// explicit padding (PyTorch's rule: the last window starts inside the
// input); count_include_pad = 0 is countPad: false; a Pad pending before an
// AveragePool that counts padded cells merges into its padding (before any
// other pool it becomes a pad layer).

import type { LayerSpec } from "../../../runtime/format/spec.ts";
import { type OnnxMapper, ourPad, same } from "../../convert/onnx_node.ts";
import { attrInt, attrInts, attrString } from "../../convert/onnx_proto.ts";

/** MaxPool / AveragePool. */
const mapMaxPool: OnnxMapper = (ctx) => {
  const { n, op, value, set, emit, no, spatial, noPad } = ctx;
  const x = value(0);
  const d = spatial(x, op);
  const k0 = attrInts(n, "kernel_shape", undefined) ?? no("kernel_shape is required");
  const strides = attrInts(n, "strides", k0.map(() => 1))!;
  const dil = attrInts(n, "dilations", k0.map(() => 1))!;
  const dilated = dil.some((v) => v !== 1);
  if (dilated && op !== "MaxPool") no("dilations are supported for MaxPool only");
  // the window's span (what the padding rules below see): d·(k − 1) + 1
  const k = k0.map((v, i) => (dil[i] ?? 1) * (v - 1) + 1);
  const auto = attrString(n, "auto_pad", "NOTSET");
  let pads = attrInts(n, "pads", [...k.map(() => 0), ...k.map(() => 0)])!;
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
  set(emit((countPad ? spec : { ...spec, countPad: false }) as LayerSpec, [x], []));
};

/** GlobalAveragePool / ReduceMean. */
const mapGlobalAveragePool: OnnxMapper = (ctx) => {
  const { n, op, opset, get, cst, set, emit, no, spatialInput } = ctx;
  const [x, d] = spatialInput();
  const r = d + 2;
  let keep = 1;
  if (op === "ReduceMean") {
    const axes = (opset >= 18 && get(1) ? [...cst(1, "axes").data] : attrInts(n, "axes", undefined)) ??
      no("axes are required");
    const norm = axes.map((a) => (a < 0 ? a + r : a)).sort();
    if (!same(norm, Array.from({ length: d }, (_, i) => i + 2))) {
      no(`axes ${axes} must be all the spatial axes`);
    }
    keep = attrInt(n, "keepdims", 1);
  }
  const c = x.shape[0];
  set(emit({ type: "globalavgpool" }, [x], [], keep ? [c, ...Array(d).fill(1)] : [c]));
};

/** The ONNX operators this file maps. */
export const ONNX_POOL: Record<string, OnnxMapper> = {
  MaxPool: mapMaxPool,
  AveragePool: mapMaxPool,
  GlobalAveragePool: mapGlobalAveragePool,
  ReduceMean: mapGlobalAveragePool,
};

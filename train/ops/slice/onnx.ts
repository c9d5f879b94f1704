// ONNX Split and Slice of a computed value along the channel axis → channel
// slices (GLU's halves, ShuffleNet v2's split). Slice of constants is folded
// before it gets here (train/convert/fold_const.ts); a Slice along another
// axis, or with a step other than 1, is refused.

import type { OnnxMapper } from "../../convert/onnx_node.ts";
import { attrInt, attrInts } from "../../convert/onnx_proto.ts";

/** Split (axis 1): one channel slice per output. */
const mapSplit: OnnxMapper = (ctx) => {
  const { n, opset, get, cst, value, set, emit, no, noPad } = ctx;
  const x = value(0);
  noPad(x);
  const r = x.shape.length + 1, given = attrInt(n, "axis", 0), axis = given < 0 ? given + r : given;
  if (axis !== 1) no(`axis ${given} is not supported (only the channel axis 1)`);
  const outs = (n.output ?? []).length, c = x.shape[0];
  let sizes = opset >= 13
    ? (get(1) ? [...cst(1, "split").data] : undefined)
    : attrInts(n, "split", undefined);
  if (!sizes) {
    // equal parts (num_outputs from opset 18, else one per output), the last one smaller when C does not divide
    const parts = opset >= 18 ? attrInt(n, "num_outputs", outs) : outs;
    const each = Math.ceil(c / parts);
    sizes = Array.from({ length: parts }, (_, k) => Math.min(each, c - k * each));
  }
  if (sizes.length !== outs || sizes.some((s) => !(s >= 1)) || sizes.reduce((a, b) => a + b, 0) !== c) {
    no(`split sizes ${sizes.join(",")} must be ${outs} positive parts of the ${c} channels`);
  }
  let start = 0;
  sizes.forEach((count, k) => {
    set(emit({ type: "channelslice", start, count }, [x], [], [count, ...x.shape.slice(1)]), k);
    start += count;
  });
};

/** Slice of a computed value (channels, step 1). */
const mapSlice: OnnxMapper = (ctx) => {
  const { n, opset, get, cst, value, set, emit, no, noPad } = ctx;
  const x = value(0);
  noPad(x);
  const r = x.shape.length + 1;
  const list = (k: number, name: string) =>
    opset >= 10 ? (get(k) ? [...cst(k, name).data] : undefined) : attrInts(n, name, undefined);
  const starts = list(1, "starts") ?? no("starts are required"),
    ends = list(2, "ends") ?? no("ends are required");
  const axes = (list(3, "axes") ?? starts.map((_, k) => k)).map((a) => (a < 0 ? a + r : a));
  const steps = (opset >= 10 ? list(4, "steps") : undefined) ?? starts.map(() => 1);
  if (axes.length !== 1 || axes[0] !== 1 || steps[0] !== 1) {
    no(
      `slicing axes ${axes.join(",")} with steps ${
        steps.join(",")
      } is not supported (only the channels, step 1)`,
    );
  }
  const c = x.shape[0], clamp = (v: number) => Math.min(Math.max(v < 0 ? v + c : v, 0), c);
  const start = clamp(starts[0]), end = clamp(ends[0]);
  if (end <= start) no(`the slice [${starts[0]}, ${ends[0]}) of ${c} channels is empty`);
  if (start === 0 && end === c) set(x);
  else {set(
      emit({ type: "channelslice", start, count: end - start }, [x], [], [end - start, ...x.shape.slice(1)]),
    );}
};

/** The ONNX operators this file maps. */
export const ONNX_SLICE: Record<string, OnnxMapper> = {
  Split: mapSplit,
  Slice: mapSlice,
};

// ONNX PRelu → a prelu layer (one slope per channel: a scalar slope, or one
// of shape (C), (C,1) or (C,1,1), repeats over the channels). The per-channel
// scale layer is written by the arithmetic and batchnorm mappings
// (train/ops/join/onnx.ts, train/ops/batchnorm/onnx.ts).

import { type Const, type OnnxMapper, prod } from "../../convert/onnx_node.ts";

/**
 * The per-channel values of constant `c` against a (N, ...shape) value: a scalar repeats over the channels,
 * a (C), (C,1…) or (1,C,1…) constant is taken as is; anything else is null.
 */
export function perChannel(c: Const, shape: readonly number[]): Float64Array | null {
  const ch = shape[0];
  if (c.data.length === 1) return new Float64Array(ch).fill(c.data[0]);
  if (c.data.length !== ch || prod(c.dims) !== ch) return null;
  // right-aligned against (N, ...shape): the channel axis is the one of size C; every other dim is 1
  const lead = c.dims.length - shape.length;
  if (lead > 1) return null;
  const ok = c.dims.every((d, k) => (k === lead ? d === ch : d === 1)) ||
    (c.dims.length === 1 && shape.length === 1);
  return ok ? Float64Array.from(c.data) : null;
}

/** PRelu. */
const mapPRelu: OnnxMapper = (ctx) => {
  const { value, cst, set, emit, no, noPad } = ctx;
  const x = value(0);
  noPad(x);
  const slope = cst(1, "slope");
  // PRelu before opset 7 took a (C) slope per channel; a file upgraded from then keeps that shape, which
  // broadcasting against (N, C, …, W) with W ≠ C cannot read at all, so it still means one per channel
  const legacy = slope.dims.length === 1 && slope.data.length === x.shape[0] && x.shape.length > 1 &&
    x.shape[x.shape.length - 1] !== slope.data.length;
  const a = legacy ? Float64Array.from(slope.data) : perChannel(slope, x.shape);
  if (!a) {
    no(
      `slope of shape (${slope.dims.join(",")}) against (N,${
        x.shape.join(",")
      }): only a scalar or one per channel`,
    );
  }
  set(emit({ type: "prelu" }, [x], [Float32Array.from(a!)], x.shape));
};

/** The ONNX operators this file maps. */
export const ONNX_CHANNEL: Record<string, OnnxMapper> = {
  PRelu: mapPRelu,
};

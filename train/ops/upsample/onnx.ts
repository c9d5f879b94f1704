// ONNX Resize and Upsample with constant integer scales (or sizes) → upsample
// layers: nearest with asymmetric + floor (PyTorch's nearest), linear with
// half_pixel (align_corners = False) as bilinear/linear.

import type { LayerSpec } from "../../../runtime/format/spec.ts";
import type { OnnxMapper } from "../../convert/onnx_node.ts";
import { attr, attrString } from "../../convert/onnx_proto.ts";

/** Resize / Upsample. */
const mapResize: OnnxMapper = (ctx) => {
  const { n, op, opset, get, cst, set, emit, no, spatialInput } = ctx;
  const [x, d] = spatialInput();
  const mode = attrString(n, "mode", "nearest");
  const ctm = attrString(
    n,
    "coordinate_transformation_mode",
    op === "Upsample" ? "asymmetric" : "half_pixel",
  );
  let scales: number[] | undefined;
  if (op === "Upsample") {
    scales = opset >= 9 ? [...cst(1, "scales").data] : attr(n, "scales")?.floats?.map(Number) ?? undefined;
  } else {
    const sIn = opset >= 11 ? 2 : 1;
    const sc = get(sIn) ? cst(sIn, "scales") : undefined;
    if (sc && sc.data.length) scales = [...sc.data];
    else if (opset >= 11 && get(3)) {
      const sizes = [...cst(3, "sizes").data];
      scales = sizes.map((s, i) => (i === 0 ? 1 : s / (i === 1 ? x.shape[0] : x.shape[i - 1])));
    }
  }
  if (!scales || scales.length !== d + 2) no("needs constant scales (or sizes) for every axis");
  if (scales![0] !== 1 || scales![1] !== 1) no("scaling N or C is not supported");
  const sp = scales!.slice(2);
  if (sp.some((s) => !Number.isInteger(s) || s < 1)) no(`scales ${sp} must be integers ≥ 1`);
  let our: string;
  if (mode === "nearest") {
    const nm = attrString(n, "nearest_mode", "round_prefer_floor");
    if (op === "Resize" && !(ctm === "asymmetric" && nm === "floor")) {
      no(`nearest with ${ctm}/${nm} is not supported (only asymmetric + floor, PyTorch's nearest)`);
    }
    our = "nearest";
  } else if (mode === "linear") {
    if (ctm !== "half_pixel" && ctm !== "pytorch_half_pixel") {
      no(`linear with ${ctm} is not supported (only half_pixel: align_corners=False)`);
    }
    our = d === 2 ? "bilinear" : "linear";
  } else no(`mode ${mode} is not supported`);
  const spec = {
    type: d === 2 ? "upsample2d" : "upsample1d",
    scale: d === 2 ? [sp[0], sp[1]] : sp[0],
    mode: our!,
  } as LayerSpec;
  set(emit(spec, [x], []));
};

/** The ONNX operators this file maps. */
export const ONNX_UPSAMPLE: Record<string, OnnxMapper> = {
  Resize: mapResize,
  Upsample: mapResize,
};

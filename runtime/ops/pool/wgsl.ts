// WGSL pooling forward (max / avg / l2) over 2-D windows (1-D pooling uses
// kh = sh = 1, inH = outH = 1) and global average pooling.
// Shapes: pool x is (N, C, inH, inW), y is (N, C, outH, outW), one thread per
// output; global x is (N, C, spatial), y is (N, C), one thread per (n, c).
// Semantics (same as the CPU twin): max ignores padded cells; avg divides by
// kh*kw counting padded cells as zero; l2 = sqrt(Σ x²) with padded cells zero;
// a window made only of padding yields 0 in every mode.
// Bindings: 0 uniforms, 1 x (read), 2 y (read_write).

import type { PoolMode, Window2d } from "../../format/spec.ts";
import type { DispatchLimits, ForwardKernel } from "../../webgpu/kernel.ts";
import { forwardKernel, PROLOGUE, roleDecls, uniformDecl, windowValues } from "../../webgpu/kernel.ts";

const LAYOUT = (["ih", "iw", "oh", "ow", "kh", "kw", "sh", "sw", "pt", "pl"] as const).map((n) =>
  [n, "i32"] as const
);
/** The dilated max pool's record: the window's and its dilation. */
const DILATED_LAYOUT = [...LAYOUT, ["dh", "i32"], ["dw", "i32"]] as const;

/** Dilated max pool source: taps u·dh, v·dw from the window's corner, those inside the input. */
export function dilatedMaxPoolWgsl(): string {
  return `// dilated max pool forward
${uniformDecl(DILATED_LAYOUT)}
${roleDecls(["x", "y"])}
${PROLOGUE}
  let ox = i32(i % u32(p.ow));
  let oy = i32((i / u32(p.ow)) % u32(p.oh));
  let plane = i / u32(p.ow * p.oh);
  var m = bitcast<f32>(0xff7fffffu);
  for (var u = 0; u < p.kh; u++) {
    let iy = oy * p.sh - p.pt + u * p.dh;
    if (iy < 0 || iy >= p.ih) { continue; }
    for (var v = 0; v < p.kw; v++) {
      let ix = ox * p.sw - p.pl + v * p.dw;
      if (ix >= 0 && ix < p.iw) { m = max(m, x[(plane * u32(p.ih) + u32(iy)) * u32(p.iw) + u32(ix)]); }
    }
  }
  y[i] = m;
}
`;
}
const GAP_LAYOUT = [["spatial", "u32"]] as const;

/** Pool forward source for a mode. */
export function poolWgsl(mode: PoolMode): string {
  const init = mode === "max" ? "bitcast<f32>(0xff7fffffu)" : "0.0"; // -FLT_MAX; Chromium rejects the decimal literal
  const step = mode === "max" ? "m = max(m, v);" : mode === "l2" ? "m += v * v;" : "m += v;";
  const fin = {
    max: "select(0.0, m, hit)",
    avg: "m / f32(p.kh * p.kw)",
    avgvalid: "select(0.0, m / f32((yhi - ylo) * (xhi - xlo)), hit)", // the real cells only
    l2: "sqrt(m)",
  }[mode];
  return `// ${mode} pool forward
${uniformDecl(LAYOUT)}
${roleDecls(["x", "y"])}
${PROLOGUE}
  let ow = u32(p.ow);
  let oh = u32(p.oh);
  let ox = i32(i % ow);
  let oy = i32((i / ow) % oh);
  let plane = i / (ow * oh);
  let y0 = oy * p.sh - p.pt;
  let x0 = ox * p.sw - p.pl;
  let ylo = max(y0, 0);
  let yhi = min(y0 + p.kh, p.ih);
  let xlo = max(x0, 0);
  let xhi = min(x0 + p.kw, p.iw);
  var m = ${init};
  var hit = false;
  for (var iy = ylo; iy < yhi; iy++) {
    let row = (plane * u32(p.ih) + u32(iy)) * u32(p.iw);
    for (var ix = xlo; ix < xhi; ix++) {
      let v = x[row + u32(ix)];
      ${step}
      hit = true;
    }
  }
  y[i] = ${fin};
}
`;
}

/** The pool forward kernel of a layer over `batch` samples. */
export function poolKernel(
  g: Window2d & { mode: PoolMode },
  batch: number,
  limits: DispatchLimits,
): ForwardKernel {
  const threads = batch * g.inC * g.outH * g.outW;
  if (g.dh > 1 || g.dw > 1) {
    return forwardKernel(
      "dilated maxpool",
      dilatedMaxPoolWgsl(),
      ["x", "y"],
      DILATED_LAYOUT,
      windowValues(g),
      threads,
      limits,
    );
  }
  return forwardKernel(
    `${g.mode}pool`,
    poolWgsl(g.mode),
    ["x", "y"],
    LAYOUT,
    windowValues(g),
    threads,
    limits,
  );
}

/** Global average pool source: y[n, c] = mean over spatial of x[n, c, :]. */
export function globalAvgPoolWgsl(): string {
  return `// global average pool
${uniformDecl(GAP_LAYOUT)}
${roleDecls(["x", "y"])}
${PROLOGUE}
  let base = i * p.spatial;
  var s = 0.0;
  for (var k = 0u; k < p.spatial; k++) { s += x[base + k]; }
  y[i] = s / f32(p.spatial);
}
`;
}

/** The global average pool kernel over `batch` samples of (c, spatial). */
export function globalAvgPoolKernel(
  c: number,
  spatial: number,
  batch: number,
  limits: DispatchLimits,
): ForwardKernel {
  return forwardKernel(
    "globalavgpool",
    globalAvgPoolWgsl(),
    ["x", "y"],
    GAP_LAYOUT,
    { spatial },
    batch * c,
    limits,
  );
}

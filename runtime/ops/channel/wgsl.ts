// WGSL per-channel layers, one thread per value: scale y = s[c]·x + t[c]
// (bindings 1 x, 2 w = s, 3 b = t, 4 y) and prelu y = x > 0 ? x : a[c]·x
// (1 x, 2 w = a, 3 y). Shapes: x and y are (N, C, spatial); c = (i / spatial) % C.

import type { ChannelMode } from "../../format/spec.ts";
import type { DispatchLimits, ForwardKernel } from "../../webgpu/kernel.ts";
import { forwardKernel, paramRoles, PROLOGUE, roleDecls, uniformDecl } from "../../webgpu/kernel.ts";

const LAYOUT = [["c", "u32"], ["spatial", "u32"]] as const;

/** The source of a per-channel kernel. */
export function channelWgsl(mode: ChannelMode): string {
  const body = mode === "scale" ? "w[ch] * x[i] + b[ch]" : "select(w[ch] * x[i], x[i], x[i] > 0.0)";
  return `// ${mode} per channel
${uniformDecl(LAYOUT)}
${roleDecls(paramRoles(mode === "scale"))}
${PROLOGUE}
  let ch = (i / p.spatial) % p.c;
  y[i] = ${body};
}
`;
}

/** The kernel of a per-channel layer over `batch` samples of (c, spatial). */
export function channelKernel(
  l: { mode: ChannelMode; c: number; spatial: number },
  batch: number,
  limits: DispatchLimits,
): ForwardKernel {
  return forwardKernel(
    l.mode,
    channelWgsl(l.mode),
    paramRoles(l.mode === "scale"),
    LAYOUT,
    { c: l.c, spatial: l.spatial },
    batch * l.c * l.spatial,
    limits,
  );
}

// Builds a ConvNetJS net from a bench manifest and copies the weights in.
// ConvNetJS volumes are (x fastest? no:) index ((sx*y)+x)*depth+d, i.e. HWC,
// so conv filters become (kh,kw,I) per output and the first dense after a
// conv is re-ordered to HWC. A dense followed by softmax maps onto ConvNetJS's
// softmax layer (which brings its own fc). Only symmetric padding is mapped.

import { denseHWC, toNHWC } from "./common.mjs";

export function buildConvnet(convnetjs, manifest, p, xs) {
  const [c, h, w] = manifest.inputShape;
  const defs = [{ type: "input", out_sx: w, out_sy: h, out_depth: c }];
  const weighted = []; // manifest layers carrying weights, in ConvNetJS order
  const L = manifest.layers;
  let flatShape = null;
  for (let i = 0; i < L.length; i++) {
    const l = L[i];
    if (l.op === "conv") {
      if (
        l.pt !== l.pb || l.pl !== l.pr || l.pt !== l.pl || l.sh !== l.sw ||
        l.dh !== 1 || l.dw !== 1
      ) {
        throw new Error("conv geometry not mappable to ConvNetJS");
      }
      defs.push({
        type: "conv",
        sx: l.kw,
        sy: l.kh,
        filters: l.outC,
        stride: l.sh,
        pad: l.pt,
      });
      weighted.push(l);
    } else if (l.op === "pool") {
      if (l.mode !== "max") throw new Error("only max pool mapped");
      defs.push({ type: "pool", sx: l.kw, sy: l.kh, stride: l.sw, pad: l.pl });
    } else if (l.op === "flatten") {
      flatShape = l.inShape;
    } else if (l.op === "dense") {
      const next = L[i + 1];
      const inShape = flatShape ?? l.inShape;
      weighted.push({ ...l, inShape });
      flatShape = [l.outF];
      if (next && next.op === "act" && next.act === "softmax") {
        defs.push({ type: "softmax", num_classes: l.outF });
        i++;
      } else {
        defs.push({ type: "fc", num_neurons: l.outF });
      }
    } else if (l.op === "act") {
      if (!["relu", "sigmoid", "tanh"].includes(l.act)) {
        throw new Error(`activation ${l.act} not mapped`);
      }
      defs.push({ type: l.act });
    } else throw new Error(`op ${l.op} not mapped`);
  }
  const net = new convnetjs.Net();
  net.makeLayers(defs);
  let k = 0;
  for (const layer of net.layers) {
    if (layer.layer_type !== "conv" && layer.layer_type !== "fc") continue;
    const l = weighted[k++];
    const W = p(l, 0);
    if (layer.layer_type === "conv") {
      const { kh, kw, inC } = l;
      for (let o = 0; o < l.outC; o++) {
        const f = layer.filters[o].w;
        for (let d = 0; d < inC; d++) {
          for (let y = 0; y < kh; y++) {
            for (let x = 0; x < kw; x++) {
              f[(kw * y + x) * inC + d] = W[((o * inC + d) * kh + y) * kw + x];
            }
          }
        }
      }
    } else {
      const hwc = denseHWC(W, l.outF, l.inShape); // (in, out)
      for (let o = 0; o < l.outF; o++) {
        const f = layer.filters[o].w;
        for (let j = 0; j < l.inF; j++) f[j] = hwc[j * l.outF + o];
      }
    }
    const b = l.bias ? p(l, 1) : null;
    for (let o = 0; o < layer.out_depth; o++) layer.biases.w[o] = b ? b[o] : 0;
  }
  const per = c * h * w;
  const vols = {};
  for (const n of Object.keys(xs)) {
    const hwc = toNHWC(xs[n], +n, c, h, w);
    vols[n] = Array.from({ length: +n }, (_, b) => {
      const v = new convnetjs.Vol(w, h, c, 0.0);
      v.w.set
        ? v.w.set(hwc.subarray(b * per, (b + 1) * per))
        : hwc.subarray(b * per, (b + 1) * per).forEach((z, j) => v.w[j] = z);
      return v;
    });
  }
  return {
    net,
    vols,
    run: (n) => {
      let last;
      for (const v of vols[n]) last = net.forward(v, false);
      return n === 1 ? last.w : last.w;
    },
  };
}

// Builds a TensorFlow.js (ops API, NHWC) forward function from a bench
// manifest; works with any tfjs backend (cpu, wasm, webgpu) in Node or Deno.
// Invariant: weights are re-laid out once here (HWIO conv, HWC-ordered dense)
// so the outputs equal ours; run(n) reads the result back (dataSync/data).

import { convHWIO, denseHWC, toNHWC } from "./common.mjs";

export function buildTfjs(tf, manifest, p, xs, { trainable = false } = {}) {
  const ops = [];
  const vars = [];
  const param = (t) => {
    if (!trainable) return t;
    const v = tf.variable(t);
    vars.push(v);
    return v;
  };
  let flatShape = null;
  for (const l of manifest.layers) {
    if (l.op === "conv") {
      if (l.groups !== 1) throw new Error("grouped conv not mapped");
      const w = param(
        tf.tensor4d(convHWIO(p(l, 0), l.outC, l.inC, l.kh, l.kw), [
          l.kh,
          l.kw,
          l.inC,
          l.outC,
        ]),
      );
      const b = l.bias ? param(tf.tensor1d(p(l, 1))) : null;
      const pad = [[0, 0], [l.pt, l.pb], [l.pl, l.pr], [0, 0]];
      ops.push((x) => {
        const y = tf.conv2d(x, w, [l.sh, l.sw], pad, "NHWC", [l.dh, l.dw]);
        return b ? tf.add(y, b) : y;
      });
    } else if (l.op === "pool") {
      if (l.pt + l.pb + l.pl + l.pr !== 0) {
        throw new Error("padded pool not mapped");
      }
      const f = l.mode === "max" ? tf.maxPool : tf.avgPool;
      ops.push((x) => f(x, [l.kh, l.kw], [l.sh, l.sw], "valid"));
    } else if (l.op === "flatten") {
      ops.push((x) => tf.reshape(x, [x.shape[0], -1]));
    } else if (l.op === "dense") {
      const inShape = flatShape ?? l.inShape;
      const w = param(tf.tensor2d(denseHWC(p(l, 0), l.outF, inShape), [
        l.inF,
        l.outF,
      ]));
      const b = l.bias ? param(tf.tensor1d(p(l, 1))) : null;
      ops.push((x) => {
        const y = tf.matMul(
          x.rank === 2 ? x : tf.reshape(x, [x.shape[0], -1]),
          w,
        );
        return b ? tf.add(y, b) : y;
      });
    } else if (l.op === "act") {
      const f = {
        relu: tf.relu,
        sigmoid: tf.sigmoid,
        tanh: tf.tanh,
        softmax: (x) => tf.softmax(x, -1),
      }[l.act];
      if (!f) throw new Error(`activation ${l.act} not mapped`);
      ops.push(f);
    } else {
      throw new Error(`op ${l.op} not mapped`);
    }
    if (l.op === "flatten" && !flatShape) flatShape = l.inShape;
    if (l.op === "dense") flatShape = [l.outF];
  }
  const [c, h, w] = manifest.inputShape;
  const inputs = {};
  for (const n of Object.keys(xs)) {
    inputs[n] = tf.tensor4d(toNHWC(xs[n], +n, c, h, w), [+n, h, w, c]);
  }
  const forward = (n) => tf.tidy(() => ops.reduce((x, f) => f(x), inputs[n]));
  const last = manifest.layers[manifest.layers.length - 1];
  const logitOps = last.op === "act" && last.act === "softmax" ? ops.slice(0, -1) : ops;
  return {
    vars,
    inputs,
    /** logits (no final softmax) of an NHWC tensor, for training */
    logits: (x) => logitOps.reduce((h, f) => f(h), x),
    runSync: (n) => {
      const y = forward(n);
      const d = y.dataSync();
      y.dispose();
      return d;
    },
    run: async (n) => {
      const y = forward(n);
      const d = await y.data();
      y.dispose();
      return d;
    },
  };
}

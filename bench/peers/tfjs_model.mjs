// Builds a TensorFlow.js (ops API, NHWC) forward function from a bench
// manifest — a chain or a graph (each layer reads its `inputs`; add joins) —
// works with any tfjs backend (cpu, wasm, webgpu) in Node or Deno.
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
  const layers = manifest.layers;
  // the (C,H,W) a dense layer's flattened input had: dense re-lays its weights out for NHWC
  const srcShape = (l) => {
    const j = l.inputs?.[0] ?? -1;
    return j >= 0 && layers[j].op === "flatten" ? layers[j].inShape : l.inShape;
  };
  for (const l of layers) {
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
      const inShape = srcShape(l);
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
    } else if (l.op === "globalavgpool") {
      ops.push((x) => (x.rank === 4 ? tf.mean(x, [1, 2]) : tf.mean(x, [1])));
    } else if (l.op === "add") {
      ops.push((...xs) => xs.reduce((a, b) => tf.add(a, b)));
    } else {
      throw new Error(`op ${l.op} not mapped`);
    }
  }
  // evaluate layers 0..upTo in order, each on its inputs (default: the previous layer)
  const run = (x, upTo) => {
    const vals = [];
    for (let i = 0; i <= upTo; i++) {
      const ins = layers[i].inputs ?? [i - 1];
      vals.push(ops[i](...ins.map((j) => (j < 0 ? x : vals[j]))));
    }
    return vals[upTo];
  };
  const [c, h, w] = manifest.inputShape;
  const inputs = {};
  for (const n of Object.keys(xs)) {
    inputs[n] = tf.tensor4d(toNHWC(xs[n], +n, c, h, w), [+n, h, w, c]);
  }
  const forward = (n) => tf.tidy(() => run(inputs[n], layers.length - 1));
  const last = layers[layers.length - 1];
  const logitsAt = last.op === "act" && last.act === "softmax" ? layers.length - 2 : layers.length - 1;
  return {
    vars,
    inputs,
    /** logits (no final softmax) of an NHWC tensor, for training */
    logits: (x) => run(x, logitsAt),
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

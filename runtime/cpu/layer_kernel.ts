// The signature every CPU layer kernel with parameters shares (conv variants,
// their selection function, dense): a layer-specific head (geometry, weights
// as that kernel wants them), then bias (or null), input x (N, ...inShape),
// batch N, output y (N, ...outShape; written and returned) and whether a
// following ReLU is fused into the store, and the Scratch its temporary
// arrays come from (a model's executor passes its own; without one a call
// uses a fresh one). One type, so the variants a selection function switches
// between cannot drift apart.

import type { Scratch } from "./scratch.ts";

/** A CPU layer kernel: `Head` arguments, then (b, x, batch, y, relu, scratch?) → y. */
export type LayerKernel<Head extends unknown[]> = (
  ...args: [
    ...Head,
    b: Float32Array | null,
    x: Float32Array,
    batch: number,
    y: Float32Array,
    relu: boolean,
    scratch?: Scratch,
  ]
) => Float32Array;

/** A CPU layer kernel without parameters (pools, activations): `Head` arguments, then (x, batch, y) → y. */
export type PlainKernel<Head extends unknown[]> = (
  ...args: [...Head, x: Float32Array, batch: number, y: Float32Array]
) => Float32Array;

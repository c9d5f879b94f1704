// Entry of the browser/CDN bundle (dist/tinycnn.min.js, built by
// examples/build_bundle.ts): the inference API of mod.ts only, with the
// WebGPU and CPU backends. Export-time code (encodeModel, f16/int8
// quantizers) stays out of the bundle; Deno users get it from mod.ts.
// Invariant: every name here is also exported by mod.ts with the same
// meaning: mod.ts re-exports this file (tests/bundle_test.ts checks it).

export * from "./api.ts";
export { loadModel } from "./load.ts";

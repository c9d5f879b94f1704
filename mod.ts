/**
 * tinycnn runtime: load a `.tcnn` model and run inference on WebGPU or on a
 * pure-TypeScript CPU fallback. Web standards only — runs in Deno, browsers,
 * Node ≥ 20, Bun and Cloudflare Workers. Never imports train/.
 *
 * @example Classify an image in an edge function
 * ```ts ignore
 * import { loadModel } from "./mod.ts";
 * const model = await loadModel(new URL("./weights/fashion-mnist.tcnn", import.meta.url));
 * const png = await Deno.readFile("shoe.png");
 * console.log(await model.classify(png, { topK: 3 })); // [{ label: "Sneaker", index: 7, probability: 0.97 }, …]
 * ```
 * @module
 */

// the inference API is the CDN bundle's entry; mod.ts adds the export-time encoder
export * from "./runtime/cdn.ts";
export { encodeModel, type EncodeOptions } from "./runtime/format/mod.ts";

// Entry of the CPU-only build (cpu.ts, dist/tinycnn-cpu.min.js, the Workers
// bundle): the same inference API as cdn.ts, but loadModel never reaches
// WebGPU code, so none of it is bundled — for edge runtimes without WebGPU
// (Cloudflare Workers, Deno Deploy, Supabase).

export * from "./api.ts";
export { loadModel } from "./load_cpu.ts";

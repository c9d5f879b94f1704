// Cold-JIT floor probe: what a fresh V8 isolate needs, with no library at
// all, to run the edge model's amount of arithmetic once (≈ 1.8 M
// multiply-adds as one naive matmul loop) and to touch the model file's
// ~97 KB once (a byte-hash loop, like a CRC). Compare with the cold-start
// budget (bare runtime + 15 ms): the first inference of any pure-JS runtime
// runs in V8's interpreter/baseline tiers until its loops are optimized.
// Prints {macs, bytes} in ms as one JSON line.
// Usage: deno run bench/cold/jit_floor.ts

const t0 = performance.now();
const K = 144, M = 64, N = 196; // (64 × 144) · (144 × 196): 1.8 M MACs
const a = new Float32Array(M * K).fill(0.5);
const b = new Float32Array(K * N).fill(0.25);
const c = new Float32Array(M * N);
for (let i = 0; i < M; i++) {
  for (let j = 0; j < N; j++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += a[i * K + k] * b[k * N + j];
    c[i * N + j] = s;
  }
}
const t1 = performance.now();
const u = new Uint8Array(97_000).fill(7);
let h = 0;
for (let i = 0; i < u.length; i++) h = (h * 31 + u[i]) | 0;
const t2 = performance.now();
if (c[5] !== 18 || h === 0) throw new Error("unexpected result");
console.log(JSON.stringify({ macs: t1 - t0, bytes: t2 - t1 }));

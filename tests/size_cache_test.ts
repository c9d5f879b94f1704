// The per-size executor cache of variable-size models (runtime/size_cache.ts):
// bounded by the bytes its CPU executors hold and by count, and emptied by
// clear() (a model's dispose). Real executors, real runs.

import { assert, assertEquals } from "@std/assert";
import { MAX_SIZES, SizeCache, type SizeState } from "../runtime/size_cache.ts";
import { CpuExecutor } from "../runtime/cpu/forward.ts";
import type { LayerSpec } from "../runtime/format/spec.ts";

const SPECS: LayerSpec[] = [
  { type: "conv2d", filters: 8, kernel: 3, padding: "same" },
  { type: "relu" },
  { type: "globalavgpool" },
];
const PARAMS = [[new Float32Array(8 * 9).fill(0.1), new Float32Array(8)], [], []];

function runAt(cache: SizeCache, side: number): SizeState {
  const st = cache.get([1, side, side]);
  st.cpu ??= new CpuExecutor(st.layers, PARAMS);
  const y = st.cpu.run(new Float32Array(2 * side * side).fill(1), 2);
  assertEquals(y.length, 16);
  cache.trim(st);
  return st;
}

Deno.test("size cache: the CPU executors of other sizes hold at most maxBytes after every run", () => {
  const maxBytes = 200_000;
  let evicted = 0;
  const cache = new SizeCache(SPECS, {}, maxBytes, (st) => {
    st.cpu?.dispose();
    evicted++;
  });
  let peak = 0;
  for (let side = 8; side <= 64; side += 4) {
    runAt(cache, side);
    peak = Math.max(peak, cache.heldBytes);
    assert(cache.heldBytes <= maxBytes, `side ${side}: ${cache.heldBytes} bytes held, bound ${maxBytes}`);
  }
  assert(evicted > 0, "growing sizes evicted older ones");
  assert(peak > 0, "executors held buffers between runs");
  // a size whose buffers alone exceed the bound frees them after its run but keeps its layers
  const big = runAt(cache, 120);
  assertEquals(big.cpu!.heldBytes, 0);
  assertEquals(cache.get([1, 120, 120]), big);
});

Deno.test("size cache: at most MAX_SIZES sizes, least recently used out first; clear() frees all", () => {
  const gone: string[] = [];
  const cache = new SizeCache(SPECS, {}, 1 << 30, (st) => {
    st.cpu?.dispose();
    gone.push(st.layers[0].inShape.join(","));
  });
  for (let k = 0; k < MAX_SIZES; k++) runAt(cache, 5 + k);
  runAt(cache, 5); // 5 is now the most recently used
  runAt(cache, 40);
  assertEquals(gone, ["1,6,6"]);
  assert(cache.heldBytes > 0);
  cache.clear();
  assertEquals(cache.heldBytes, 0);
  assertEquals(gone.length, MAX_SIZES + 1);
  assertEquals([...cache.values()].length, 0);
});

Deno.test("CPU executor: dispose() frees its slot buffers and scratch; a later run works again", () => {
  const st = new SizeCache(SPECS, {}, 1 << 30, () => {}).get([1, 16, 16]);
  const ex = new CpuExecutor(st.layers, PARAMS);
  const x = new Float32Array(3 * 256).fill(1);
  const y0 = ex.run(x, 3);
  assert(ex.heldBytes >= 3 * 8 * 256 * 4, `${ex.heldBytes}`);
  ex.dispose();
  assertEquals(ex.heldBytes, 0);
  assertEquals(ex.run(x, 3), y0);
});

// The test suites' one policy for system parts and seeds.
// System parts (WebGPU adapter, Chromium, onnxruntime-node from bench/'s npm
// install): a missing part makes its tests
// ignored, with one line saying what is missing and how to get it;
// REQUIRE_WEBGPU=1 / REQUIRE_CHROMIUM=1 / REQUIRE_ORT=1 (set by .ci/run) make it fail
// instead, so CI cannot pass by skipping. Seeds: every randomised suite takes
// its seed from TEST_SEED (its own fixed default otherwise) and prints it, so
// any failure can be rerun with the same cases.

/** A system part a suite may need. */
export type Part = "WEBGPU" | "CHROMIUM" | "ORT" | "BUN";

/** True when REQUIRE_<part>=1: a missing part must fail, not be ignored. */
export function required(part: Part): boolean {
  return Deno.env.get(`REQUIRE_${part}`) === "1";
}

/** Report a missing part: throws when it is required, else prints the one ignore line. Returns false. */
export function missingPart(suite: string, part: Part, what: string, howTo: string): false {
  if (required(part)) throw new Error(`${suite}: REQUIRE_${part}=1 but ${what} (${howTo})`);
  console.log(`${suite}: ignored — ${what} (${howTo}; REQUIRE_${part}=1 fails instead)`);
  return false;
}

/** Debian's Chromium, driven by npm playwright-core. */
export const CHROMIUM = "/usr/bin/chromium";

/** Whether Chromium is installed; otherwise missingPart (prints why, or throws when required). */
export function chromiumOrIgnore(suite: string): boolean {
  try {
    if (Deno.statSync(CHROMIUM).isFile) return true;
  } catch { /* missing */ }
  return missingPart(suite, "CHROMIUM", `no ${CHROMIUM}`, "apt-get install chromium");
}

/** How to get a WebGPU adapter on this project's machines. */
export const WEBGPU_HOWTO =
  "install mesa-vulkan-drivers and set DENO_WEBGPU_BACKEND=vulkan, or use a GPU; run with --unstable-webgpu";

/** The seed of a randomised suite: TEST_SEED when set, else `fallback`; printed once. */
export function testSeed(suite: string, fallback: number): number {
  const env = Deno.env.get("TEST_SEED");
  const seed = env === undefined ? fallback : Number(env) >>> 0;
  console.log(`${suite}: seed ${seed} (TEST_SEED=${seed} reproduces this run)`);
  return seed;
}

/** `rng`'s uniform [0, 1) draws as integers in [lo, hi] (both ends included). */
export const intsOf = (r: () => number) => (lo: number, hi: number): number =>
  lo + Math.floor(r() * (hi - lo + 1));

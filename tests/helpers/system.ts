// Test helper: which system parts this machine has, with the project's
// policy — a missing part makes its tests ignored with one line saying why
// and how to get it; REQUIRE_CHROMIUM=1 (set by .ci/run) makes a missing
// Chromium fail instead (REQUIRE_WEBGPU=1 does the same for WebGPU elsewhere).

/** Debian's Chromium, driven by npm playwright-core. */
export const CHROMIUM = "/usr/bin/chromium";

/** Whether Chromium is installed; prints why not once per module, or throws when it is required. */
export function chromiumOrIgnore(suite: string): boolean {
  let ok = false;
  try {
    ok = Deno.statSync(CHROMIUM).isFile;
  } catch { /* missing */ }
  if (ok) return true;
  if (Deno.env.get("REQUIRE_CHROMIUM") === "1") {
    throw new Error(`${suite}: REQUIRE_CHROMIUM=1 but ${CHROMIUM} is missing (apt-get install chromium)`);
  }
  console.log(
    `${suite}: ignored — no ${CHROMIUM} (apt-get install chromium; REQUIRE_CHROMIUM=1 fails instead)`,
  );
  return false;
}

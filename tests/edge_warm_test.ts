// examples/edge/warm.ts: the blank PNG the warm-up classifies is a valid PNG
// (decoded by our decoder: right size, all black), a warmed model answers
// exactly like a freshly loaded one, and a failed warm-up resolves to null
// (the handler then loads per request) instead of throwing; only image models
// warm the PNG decoder and the inflater.

import { assertEquals, assertThrows } from "@std/assert";
import { decodePng, loadModel } from "../mod.ts";
import { blankPng, warmAtStart, warmModel, warmStatus } from "../examples/edge/warm.ts";
import { fashionTestImages } from "./helpers/fashion.ts";

Deno.test("blankPng: gray and RGB decode to black images of the asked size; too large is a RangeError", async () => {
  for (const [w, h, c] of [[28, 28, 1], [5, 3, 3], [1, 1, 1], [147, 147, 3]] as const) {
    const img = await decodePng(blankPng(w, h, c));
    assertEquals([img.width, img.height, img.channels], [w, h, c]);
    assertEquals(img.data.length, w * h * c);
    assertEquals(img.data.every((v) => v === 0), true);
  }
  assertThrows(() => blankPng(256, 256, 1), RangeError, "65535");
});

Deno.test("warmAtStart: the warmed model answers like a fresh one; a bad model resolves to null", async () => {
  const bytes = await Deno.readFile(new URL("../weights/fashion-mnist.tcnn", import.meta.url));
  const warm = await warmAtStart(bytes, "cpu");
  const fresh = await loadModel(bytes, { backend: "cpu" });
  try {
    assertEquals(warm !== null && (await warmModel()) === warm, true);
    assertEquals(warmStatus(), { model: true, png: true, inflate: true }); // Deno allows streams at start-up
    for (const im of await fashionTestImages(3)) {
      assertEquals(await warm!.classify(im.png, { topK: 10 }), await fresh.classify(im.png, { topK: 10 }));
    }
    assertEquals(await warmAtStart(new Uint8Array([1, 2, 3]), "cpu"), null);
    assertEquals(warmModel(), null);
    assertEquals(warmStatus(), { model: false, png: false, inflate: false });
  } finally {
    warm?.dispose();
    fresh.dispose();
  }
});

Deno.test("warmAtStart: a series model warms the model only (it takes no PNGs: no PNG, no inflater)", async () => {
  const bytes = await Deno.readFile(new URL("../weights/synthetic-control.tcnn", import.meta.url));
  const warm = await warmAtStart(bytes, "cpu");
  try {
    assertEquals(warm?.inputShape.length, 2);
    assertEquals(warmStatus(), { model: true, png: false, inflate: false });
  } finally {
    warm?.dispose();
  }
});

// The training report's SVG is well-formed XML for any class name, arch or
// command (markup, quotes, control characters, lone surrogates, "]]>"),
// checked by a real XML parser: headless Chromium's DOMParser.

import { assert, assertEquals } from "@std/assert";
import { renderSvg, type TrainReport } from "../train/report.ts";
import { chromiumOrIgnore } from "./helpers/system.ts";
import { launchChromium } from "./helpers/chromium.ts";

const HAS_CHROMIUM = chromiumOrIgnore("report.svg XML");

const HOSTILE = [
  `<script>alert(1)</script>`,
  `a & b "quoted" 'single'`,
  "ctl \x01\x07\x1b[31m\x7f",
  "lone \ud800 surrogate \udfff",
  "]]> <!-- --> <![CDATA[",
  "tab\tand\r\nnewline",
  "\ufffe\uffff nonchars",
  "👟 sneaker",
];

Deno.test({
  name: "report.svg: well-formed XML (Chromium's DOMParser) for hostile class names, arch and command",
  ignore: !HAS_CHROMIUM,
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  const base: TrainReport = JSON.parse(
    await Deno.readTextFile(new URL("../weights/fashion-mnist.tcnn.report.json", import.meta.url)),
  );
  const k = HOSTILE.length;
  const report: TrainReport = {
    ...base,
    arch: HOSTILE[0],
    dataset: HOSTILE[2],
    command: HOSTILE.join(" "),
    classes: HOSTILE,
    perClassAccuracy: HOSTILE.map(() => 0.5),
    confusion: HOSTILE.map((_, i) => HOSTILE.map((_, j) => (i === j ? 5 : 1))),
    samples: { ...base.samples, test: k * (k + 4) },
  };
  const svg = renderSvg(report);
  const browser = await launchChromium();
  try {
    const page = await browser.ctx.newPage();
    // run in the page (a browser's DOM, not Deno's types): parse as image/svg+xml, report any parsererror
    const got: { error: string | null; root: string; texts: string[] } = await page.evaluate(`(() => {
      const doc = new DOMParser().parseFromString(${JSON.stringify(svg)}, "image/svg+xml");
      const err = doc.getElementsByTagName("parsererror")[0];
      return {
        error: err ? err.textContent : null,
        root: doc.documentElement.nodeName,
        texts: [...doc.getElementsByTagName("text")].map((t) => t.textContent ?? ""),
      };
    })()`);
    assertEquals(got.error, null, "the SVG parses as XML");
    assertEquals(got.root, "svg");
    // every class name is shown, markup as text (what XML cannot hold as U+FFFD)
    for (const name of [HOSTILE[0], HOSTILE[1], HOSTILE[4], "👟 sneaker"]) {
      assert(got.texts.some((t) => t.includes(name)), `${name} is shown as text`);
    }
    assert(got.texts.some((t) => t.includes("ctl \ufffd\ufffd\ufffd[31m")), "controls become U+FFFD");
  } finally {
    await browser.close();
  }
});

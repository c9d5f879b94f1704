// `deno task train` flag handling: bad flags print a clear message and exit 2
// without touching data or devices; --help prints the usage and exits 0.

import { assert, assertEquals, assertThrows } from "@std/assert";
import { ARCH_NAMES } from "../train/archs.ts";
import { parseCli, UsageError } from "../train/cli_args.ts";
import { runTrain } from "./helpers/train_cli.ts";

const runCli = runTrain;

Deno.test("cli: bad flags exit 2 with a message naming the flag", async () => {
  const cases: [string[], RegExp][] = [
    [["--bogus"], /Unknown option '--bogus'/],
    [["--epochs", "zero"], /--epochs must be an integer, got "zero"/],
    [["--epochs", "0"], /--epochs must be in \[1,/],
    [
      ["--arch", "resnet"],
      /--arch must be one of small, lenet, edge, tiny, fcn, tcn, resnet-s or a \.json file/,
    ],
    [
      ["--dataset", "cifar"],
      /--dataset must be one of mnist, fashion-mnist, mnist-full, synthetic-control, cbf/,
    ],
    [["--optimizer", "rmsprop"], /--optimizer must be one of sgd, adam, adamw/],
    [["--quantize", "int4"], /--quantize must be one of f32, f16, int8/],
    [["--backend", "cuda"], /--backend must be one of auto, webgpu, cpu/],
    [["--lr=-1"], /--lr must be in/],
    [["--batch"], /argument missing/],
    [["extra"], /unexpected argument "extra"/],
    [["--size", "28"], /--size must be HxW with sides 1\.\.4096 \(e\.g\. 32x32\), got "28"/],
    [["--size", "0x5"], /--size must be HxW/],
    [["--channels", "2"], /--channels must be one of 1, 3, got "2"/],
    [["--augment", "rotate"], /--augment must be a list of shift\[:N\], flip, noise\[:S\]/],
    [["--augment", "shift:99"], /--augment shift must be in \[1, 8\], got 99/],
    [["--label-smoothing", "0.7"], /--label-smoothing must be in \[0, 0\.5\], got 0\.7/],
    [["--augment", "erase:2"], /--augment erase must be in \[0\.000001, 1\], got 2/],
    [["--labels", "a"], /--labels must be 2 or more distinct/],
    [["--labels", "a,a"], /--labels must be 2 or more distinct/],
    [["--data", "/tmp", "--dataset", "cbf"], /--data cannot be combined with --dataset cbf/],
    [["--test-fraction", "1"], /--test-fraction must be in \[0\.01, 0\.9\]/],
    [
      ["--dataset", "synthetic-control", "--augment", "flip", "--epochs", "1"],
      /--augment flip applies to images, not series/,
    ],
    [
      ["--dataset", "synthetic-control", "--augment", "erase", "--epochs", "1"],
      /--augment erase applies to images, not series/,
    ],
  ];
  for (const [args, re] of cases) {
    const r = await runCli(args);
    assertEquals(r.code, 2, `${args.join(" ")}: exit ${r.code}, stderr ${r.stderr}`);
    assert(re.test(r.stderr), `${args.join(" ")}: stderr was ${r.stderr}`);
    assert(/--help/.test(r.stderr));
  }
});

Deno.test("cli: --help prints usage and exits 0", async () => {
  const r = await runCli(["--help"]);
  assertEquals(r.code, 0, r.stderr);
  assert(/Usage: deno task train/.test(r.stdout) && /--resume/.test(r.stdout) && /--quantize/.test(r.stdout));
  // every built-in architecture is listed (the list once lacked resnet-s)
  for (const a of ARCH_NAMES) assert(r.stdout.includes(` ${a} `) || r.stdout.includes(` ${a},`), a);
});

Deno.test("cli: defaults are the zero-setup mnist run; derived defaults follow the optimizer", () => {
  const c = parseCli([]);
  assertEquals([c.dataset, c.arch, c.backend, c.quantize, c.out], [
    "mnist",
    "small",
    "auto", // WebGPU when an adapter exists, else the CPU backend (a fresh machine has none)
    "f32",
    "weights/mnist-small.tcnn",
  ]);
  assertEquals(parseCli(["--optimizer", "sgd"]).lr, 0.05);
  assertEquals(parseCli(["--optimizer", "adamw"]).weightDecay, 5e-4);
  assertEquals(parseCli(["--limit", "100", "--resume"]).limit, 100);
  assertEquals([parseCli([]).nesterov, parseCli(["--optimizer", "sgd", "--nesterov"]).nesterov], [
    false,
    true,
  ]);
  // Nesterov momentum is SGD's: with Adam it would be silently ignored
  assertThrows(() => parseCli(["--nesterov"]), UsageError, "--nesterov needs --optimizer sgd");
  let threw = false;
  try {
    parseCli(["--val-fraction", "1.5"]);
  } catch (e) {
    threw = e instanceof UsageError;
  }
  assert(threw);
});

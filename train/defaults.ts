// Settings that depend on the data, shared by the CLI and train/mod.ts:
// the architecture (fcn for series, small for images), the batch (64, or
// about n/16 for a small training set), the epochs (enough for MIN_STEPS
// optimizer steps), early-stopping patience, and the output path.
// Invariant: an explicitly given value is never changed.

/** Optimizer steps the default epoch count aims for. */
export const MIN_STEPS = 600;

/** weights/<dataset>-<arch>.tcnn, with a custom JSON arch named "custom". */
export function defaultOut(dataset: string, arch: string): string {
  const name = dataset.replace(/[/\\]+$/, "").split(/[/\\]/).pop() || "data";
  return `weights/${name}-${arch.endsWith(".json") ? "custom" : arch}.tcnn`;
}

/** What the caller fixed (undefined = derive from the data). */
export interface GivenSettings {
  arch?: string;
  batch?: number;
  epochs?: number;
  patience?: number;
  out?: string;
}

/** The resolved run settings once the data is known. */
export interface DataDefaults {
  arch: string;
  batch: number;
  epochs: number;
  patience: number;
  out: string;
}

/**
 * Fill the data-dependent defaults: fcn for series, small for images; batch 64
 * or, for a small training set, the power of two near n/16 (at least 8); as
 * many epochs as MIN_STEPS steps need (at least 2, at most 500); patience a
 * quarter of those epochs (at least 5) when the epochs were not given and
 * there are 20 or more of them.
 */
export function resolveDataDefaults(
  given: GivenSettings,
  trainN: number,
  series: boolean,
  name: string,
): DataDefaults {
  const arch = given.arch ?? (series ? "fcn" : "small");
  const batch = given.batch ??
    Math.min(64, Math.max(8, 2 ** Math.floor(Math.log2(Math.max(1, trainN / 16)))));
  const steps = Math.ceil(trainN / batch);
  const epochs = given.epochs ?? Math.min(500, Math.max(2, Math.ceil(MIN_STEPS / steps)));
  const patience = given.patience ??
    (given.epochs === undefined && epochs >= 20 ? Math.max(5, Math.round(epochs / 4)) : 0);
  return { arch, batch, epochs, patience, out: given.out ?? defaultOut(name, arch) };
}

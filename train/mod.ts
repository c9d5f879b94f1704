// Training as a library (the JSR export `./train`): load a dataset, train a
// model on WebGPU or the CPU backend, get the encoded .tcnn bytes, the report
// and the history; evaluate a model file on a dataset. `deno task train` is a
// thin layer over this module. Only re-exports: train() is in train_run.ts,
// evaluate() in evaluate.ts, the datasets in data/.

export { loadDataset, type LoadOptions } from "./data/datasets.ts";
export type { Dataset, SampleSet } from "./data/sets.ts";
export type { EpochRecord } from "./checkpoint.ts";
export type { QuantResult, ReportLayer, TrainReport } from "./report.ts";
export type { FetchOptions } from "./data/download.ts";
export type { ProgressSink } from "./progress.ts";
export type { ScheduleName } from "./schedule.ts";
export type { TrainLayerSpec } from "./backend.ts";
export type { ResidualBlock } from "./archs.ts";
export type { InputRange } from "../runtime/input/input_range.ts";
export { train, type TrainOptions, type TrainOutput } from "./train_run.ts";
export { evaluate, type Evaluation } from "./evaluate.ts";

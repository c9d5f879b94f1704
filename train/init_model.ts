// Fine-tuning from a shipped or trained .tcnn (--init FILE, --freeze N): the
// model's own layer chain becomes the architecture (batchnorm was folded into
// its convs at export and dropout removed, so they train without them), its
// trailing softmax is dropped (training ends in logits), and when the data
// has another class count the last dense layer is replaced by a fresh head of
// K units. Invariants: the model's input shape must equal the data's; its
// recorded normalisation is kept (the weights expect it); loaded tensors are
// checked against the backend's shapes before they are set; the first N
// layers are frozen only when N leaves a trainable layer.

import { decodeModel } from "../runtime/format/mod.ts";
import type { Normalization } from "../runtime/format/model_desc.ts";
import type { LayerSpec } from "../runtime/format/spec.ts";
import type { TrainBackend, TrainLayerSpec } from "./backend.ts";

export interface InitModel {
  /** training layers: the model's chain without its final softmax, head replaced when K differs */
  layers: TrainLayerSpec[];
  /** per layer, the tensors to load (null: keep the fresh initialisation, i.e. a new head) */
  params: (Float32Array[] | null)[];
  normalization?: Normalization;
  note: string;
}

/** Read `src` (a path or .tcnn bytes) and derive the fine-tuning architecture for data of `inputShape` with `classes` classes. */
export async function initFromModel(
  src: string | Uint8Array,
  inputShape: number[],
  classes: number,
): Promise<InitModel> {
  let bytes: Uint8Array;
  const path = typeof src === "string" ? src : "(model bytes)";
  try {
    bytes = typeof src === "string" ? await Deno.readFile(src) : src;
  } catch (e) {
    throw new TypeError(`--init ${path}: cannot read (${(e as Error).message})`);
  }
  const { desc } = decodeModel(bytes);
  if (JSON.stringify(desc.inputShape) !== JSON.stringify(inputShape)) {
    throw new TypeError(
      `--init ${path}: the model takes input (${desc.inputShape.join(",")}), the data is (${
        inputShape.join(",")
      }); ${
        inputShape.length === 3 ? "use --size HxW and --channels to match it" : "the series lengths differ"
      }`,
    );
  }
  const layers: LayerSpec[] = [...desc.layers];
  const params = desc.params.map((p) => p.map((t) => t.slice()) as Float32Array[] | null);
  if (layers.at(-1)?.type === "softmax") (layers.pop(), params.pop());
  const head = layers.at(-1);
  if (head?.type !== "dense") {
    throw new TypeError(
      `--init ${path}: the model must end in a dense layer (then softmax), it ends in ${head?.type}`,
    );
  }
  let note = `initialised from ${path} (${layers.length} layers)`;
  if (head.units !== classes) {
    layers[layers.length - 1] = { ...head, units: classes };
    params[params.length - 1] = null;
    note += `; new ${classes}-class head (the model had ${head.units})`;
  }
  return { layers, params, normalization: desc.normalization, note };
}

/** Load the model's tensors into a freshly created backend. */
export async function applyInit(backend: TrainBackend, init: InitModel): Promise<void> {
  const state = await backend.getState();
  init.params.forEach((ts, i) => {
    if (!ts) return;
    if (state.params[i].length !== ts.length) {
      throw new TypeError(
        `--init: layer ${i} has ${ts.length} tensors, the backend expects ${state.params[i].length}`,
      );
    }
    ts.forEach((t, j) => {
      if (state.params[i][j].length !== t.length) {
        throw new TypeError(
          `--init: layer ${i} tensor ${j} has ${t.length} values, expected ${state.params[i][j].length}`,
        );
      }
      state.params[i][j] = t;
    });
  });
  await backend.setState(state);
}

/** Check --freeze N against the chain: at least one layer with parameters must stay trainable. */
export function checkFreeze(n: number, layers: TrainLayerSpec[]): void {
  const trainable = layers.slice(n).some((l) => ["conv2d", "conv1d", "dense", "batchnorm"].includes(l.type));
  if (n > layers.length || !trainable) {
    throw new RangeError(`--freeze ${n} leaves no trainable layer (the chain has ${layers.length} layers)`);
  }
}

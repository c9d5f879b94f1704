// WebGPU device acquisition, loss tracking and error-scope wrapping.
// Invariants: acquireDevice resolves null (never throws) when there is no
// WebGPU entry point or no adapter; a failing requestDevice is a GpuError.
// Every device it returns is registered here: its adapter limits, and
// whether it has been lost (isLost / onLost). guarded() turns validation and
// out-of-memory errors raised inside a block, and device loss, into GpuError.

import { GpuError } from "../errors.ts";

interface DeviceState {
  lost: boolean;
  reason: string;
  adapterLimits: GPUSupportedLimits | null;
  listeners: Set<(reason: string) => void>;
}

const states = new WeakMap<GPUDevice, DeviceState>();

function state(device: GPUDevice): DeviceState {
  let s = states.get(device);
  if (!s) {
    const st: DeviceState = {
      lost: false,
      reason: "",
      adapterLimits: null,
      listeners: new Set(),
    };
    device.lost.then((info) => {
      st.lost = true;
      st.reason = `${info.reason || "unknown"}: ${info.message || "no message"}`;
      const fs = [...st.listeners];
      st.listeners.clear();
      for (const f of fs) f(st.reason);
    });
    states.set(device, st);
    s = st;
  }
  return s;
}

/** The WebGPU entry point of this environment, or null. */
function defaultGpu(): GPU | null {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  return nav?.gpu ?? null;
}

/** Raise the buffer-size limits (and `extra` ones) to what the adapter allows (models may need more than the defaults). */
function wantedLimits(a: GPUAdapter, extra: (keyof GPUSupportedLimits)[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of ["maxStorageBufferBindingSize", "maxBufferSize", ...extra] as const) {
    const v = a.limits[k];
    if (typeof v === "number" && v > 0) out[k] = v;
  }
  return out;
}

/**
 * Acquire a WebGPU device: resolves null when `gpu` (default navigator.gpu)
 * is missing or offers no adapter; rejects with GpuError when an adapter
 * exists but refuses a device. Training passes `adapter` options (a
 * high-performance adapter) and `limits` to raise as well (storage buffers
 * per stage: batchnorm's dX binds 7).
 */
export async function acquireDevice(
  opts: { gpu?: GPU | null; adapter?: GPURequestAdapterOptions; limits?: (keyof GPUSupportedLimits)[] } = {},
): Promise<GPUDevice | null> {
  const gpu = opts.gpu === undefined ? defaultGpu() : opts.gpu;
  if (!gpu || typeof gpu.requestAdapter !== "function") return null;
  let adapter: GPUAdapter | null = null;
  try {
    adapter = await gpu.requestAdapter(opts.adapter);
  } catch {
    return null; // some environments throw instead of resolving null
  }
  if (!adapter) return null;
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredLimits: wantedLimits(adapter, opts.limits ?? []) });
  } catch (e) {
    throw new GpuError(`the WebGPU adapter refused a device: ${e instanceof Error ? e.message : e}`);
  }
  state(device).adapterLimits = adapter.limits;
  return device;
}

/** Limits of the adapter a device came from (acquireDevice devices), else null. */
export function adapterLimits(device: GPUDevice): GPUSupportedLimits | null {
  return states.get(device)?.adapterLimits ?? null;
}

/** Whether the device has been lost (destroyed or failed). */
export function isLost(device: GPUDevice): boolean {
  return state(device).lost;
}

/** Call `f(reason)` once when the device is lost (at once, asynchronously, if it already is). */
export function onLost(device: GPUDevice, f: (reason: string) => void): void {
  const s = state(device);
  if (s.lost) queueMicrotask(() => f(s.reason));
  else s.listeners.add(f);
}

/**
 * Settle like `p`, or reject with GpuError as soon as the device is lost,
 * whichever comes first (so no GPU wait can hang on a dead device). Other
 * rejections of `p` pass through. Leaves no listener behind once settled.
 */
export function unlessLost<T>(device: GPUDevice, p: Promise<T>, what: string): Promise<T> {
  const s = state(device);
  const lostError = (reason: string) => new GpuError(`${what}: the WebGPU device was lost (${reason})`);
  if (s.lost) {
    p.catch(() => {});
    return Promise.reject(lostError(s.reason));
  }
  return new Promise<T>((resolve, reject) => {
    const onLoss = (reason: string) => reject(lostError(reason));
    s.listeners.add(onLoss);
    p.then(resolve, reject).finally(() => s.listeners.delete(onLoss));
  });
}

/**
 * Run `f` inside validation + out-of-memory error scopes; any error raised in
 * them, any exception of `f`, and device loss while waiting reject with
 * GpuError naming `what`. RangeError and TypeError from `f` pass through
 * unchanged (they are limit / shape errors detected before any GPU call).
 */
export async function guarded<T>(device: GPUDevice, what: string, f: () => T | Promise<T>): Promise<T> {
  if (isLost(device)) throw new GpuError(`${what}: the WebGPU device was lost (${state(device).reason})`);
  device.pushErrorScope("out-of-memory");
  device.pushErrorScope("validation");
  let result: T;
  let thrown: unknown = null;
  try {
    result = await f();
  } catch (e) {
    thrown = e;
  }
  const pops = Promise.all([device.popErrorScope(), device.popErrorScope()]);
  let errs: (GPUError | null)[];
  try {
    errs = await unlessLost(device, pops, what);
  } catch (e) {
    if (thrown instanceof RangeError || thrown instanceof TypeError) throw thrown;
    throw e instanceof GpuError ? e : new GpuError(`${what}: ${e instanceof Error ? e.message : e}`);
  }
  if (thrown !== null) {
    if (thrown instanceof GpuError) throw thrown;
    if ((thrown instanceof RangeError || thrown instanceof TypeError) && !isLost(device)) throw thrown;
    throw new GpuError(`${what}: ${thrown instanceof Error ? thrown.message : thrown}`);
  }
  const err = errs.find((e) => e !== null);
  if (err) {
    const kind = errs[0] === err ? "validation" : "out-of-memory";
    throw new GpuError(`${what}: WebGPU ${kind} error: ${err.message}`);
  }
  return result!;
}

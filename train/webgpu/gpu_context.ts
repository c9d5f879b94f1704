// Training's view of the shared WebGPU core (runtime/webgpu/): storage
// buffers checked against device.limits, the shared pipeline cache, one
// uniform buffer per distinct uniform record, prepared dispatches and error
// scopes (runtime/webgpu/device.ts guarded: validation / out-of-memory
// errors and device loss become GpuError). Invariants: every buffer is
// checked against maxStorageBufferBindingSize and maxBufferSize before
// creation (RangeError); every dispatch is checked against
// maxComputeWorkgroupsPerDimension; binding 0 of every kernel is its
// uniform record, bindings 1.. the buffers given to prepare().

import { guarded } from "../../runtime/webgpu/device.ts";
import { pipelineNow } from "../../runtime/webgpu/pipeline_cache.ts";
import * as USAGE from "../../runtime/webgpu/buffer_usage.ts";
import type { Kernel } from "../../runtime/webgpu/kernel.ts";

export const STORAGE = USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST;

/** What the layer binders need of a context: the device limits and prepare(). GpuContext is the real one; train/print_wgsl.ts records kernels instead. */
export interface KernelBinder {
  readonly device: { readonly limits: GPUSupportedLimits };
  prepare(k: Kernel, buffers: GPUBuffer[]): PreparedKernel;
}

export class GpuContext implements KernelBinder {
  readonly device: GPUDevice;
  /** uniform records by content: kernels of the same shape share one small buffer */
  readonly #uniforms = new Map<string, GPUBuffer>();

  constructor(device: GPUDevice) {
    this.device = device;
  }

  /** A storage buffer of `floats` 4-byte values (at least 4 bytes), optionally initialised. */
  buffer(floats: number, what: string, init?: Float32Array | Int32Array): GPUBuffer {
    const bytes = Math.max(16, Math.ceil((floats * 4) / 16) * 16);
    const lim = this.device.limits;
    if (bytes > lim.maxStorageBufferBindingSize || bytes > lim.maxBufferSize) {
      throw new RangeError(
        `${what}: ${bytes} bytes exceed the device limit of ${
          Math.min(lim.maxStorageBufferBindingSize, lim.maxBufferSize)
        } bytes per storage buffer`,
      );
    }
    const buf = this.device.createBuffer({ size: bytes, usage: STORAGE, label: what });
    if (init) this.device.queue.writeBuffer(buf, 0, init as Float32Array<ArrayBuffer>);
    return buf;
  }

  /** The uniform buffer holding `bytes` (one per distinct content, kept until destroy()). */
  uniform(bytes: ArrayBuffer, what: string): GPUBuffer {
    const key = Array.from(new Uint32Array(bytes)).join(",");
    let buf = this.#uniforms.get(key);
    if (!buf) {
      buf = this.device.createBuffer({
        size: bytes.byteLength,
        usage: USAGE.UNIFORM | USAGE.COPY_DST,
        label: what,
      });
      this.device.queue.writeBuffer(buf, 0, bytes);
      this.#uniforms.set(key, buf);
    }
    return buf;
  }

  /** A prepared dispatch: pipeline + bind group over the uniform record (binding 0) and one buffer per name of k.bindings (1..). */
  prepare(k: Kernel, buffers: GPUBuffer[]): PreparedKernel {
    const max = this.device.limits.maxComputeWorkgroupsPerDimension;
    const groups = k.dispatch.groups;
    if (groups.some((g) => g > max)) {
      throw new RangeError(
        `${k.label}: dispatch (${groups.join("×")}) exceeds ${max} workgroups per dimension`,
      );
    }
    if (buffers.length !== k.bindings.length || buffers.some((b) => !b)) {
      throw new TypeError(
        `${k.label}: binds ${k.bindings.length} buffer(s) (${k.bindings.join(", ")}), got ${
          buffers.filter((b) => b).length
        } of ${buffers.length}`,
      );
    }
    const pipeline = pipelineNow(this.device, k.code, k.label);
    const entries = [this.uniform(k.uniforms, `${k.label} uniforms`), ...buffers].map((buffer, binding) => ({
      binding,
      resource: { buffer },
    }));
    const bindGroup = this.device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries,
      label: k.label,
    });
    return { pipeline, bindGroup, groups, label: k.label, flops: k.flops };
  }

  /** Run `fn` inside validation + out-of-memory error scopes; GPU errors and device loss become GpuError. */
  scoped<T>(what: string, fn: () => T | Promise<T>): Promise<T> {
    return guarded(this.device, what, fn);
  }

  /** Read `floats` values of a storage buffer back (test helper; the train step reads only its result). */
  async read(buf: GPUBuffer, floats: number): Promise<Float32Array> {
    const bytes = Math.ceil(Math.max(4, floats * 4) / 4) * 4;
    const staging = this.device.createBuffer({ size: bytes, usage: USAGE.MAP_READ | USAGE.COPY_DST });
    const enc = this.device.createCommandEncoder();
    enc.copyBufferToBuffer(buf, 0, staging, 0, bytes);
    this.device.queue.submit([enc.finish()]);
    await staging.mapAsync(USAGE.MAP_MODE_READ);
    const out = new Float32Array(staging.getMappedRange().slice(0, floats * 4));
    staging.unmap();
    staging.destroy();
    return out;
  }

  /** Destroy the uniform buffers (the backend destroys its own storage buffers). */
  destroy(): void {
    for (const b of this.#uniforms.values()) b.destroy();
    this.#uniforms.clear();
  }
}

export interface PreparedKernel {
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  groups: [number, number, number];
  label: string;
  /** FLOPs of one dispatch where known (profiling only) */
  flops?: number;
}

/** Encode prepared kernels into one compute pass, in order. */
export function encodeAll(enc: GPUCommandEncoder, ks: PreparedKernel[]): void {
  const pass = enc.beginComputePass();
  for (const k of ks) {
    pass.setPipeline(k.pipeline);
    pass.setBindGroup(0, k.bindGroup);
    pass.dispatchWorkgroups(k.groups[0], k.groups[1], k.groups[2]);
  }
  pass.end();
}

async function submitAndWait(ctx: GpuContext, prepared: PreparedKernel[]): Promise<void> {
  const enc = ctx.device.createCommandEncoder();
  encodeAll(enc, prepared);
  ctx.device.queue.submit([enc.finish()]);
  await ctx.device.queue.onSubmittedWorkDone();
}

/** Test helper: prepare kernels on the given buffers, run them once and wait for them. */
export async function runKernels(
  ctx: GpuContext,
  ks: { kernel: Kernel; buffers: GPUBuffer[] }[],
): Promise<void> {
  await ctx.scoped("runKernels", () => submitAndWait(ctx, ks.map((k) => ctx.prepare(k.kernel, k.buffers))));
}

/** Test helper: submit already prepared kernels and wait for them. */
export async function runPrepared(ctx: GpuContext, prepared: PreparedKernel[]): Promise<void> {
  await ctx.scoped("runPrepared", () => submitAndWait(ctx, prepared));
}

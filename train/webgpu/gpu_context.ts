// Small WebGPU plumbing for training: a pipeline cache keyed by WGSL source,
// storage-buffer helpers with size checks against device.limits, encoding a
// kernel dispatch, and error scopes that turn validation / out-of-memory
// errors into GpuError. Invariants: every buffer is checked against
// maxStorageBufferBindingSize and maxBufferSize before creation (RangeError);
// every dispatch is checked against maxComputeWorkgroupsPerDimension.

import { GpuError } from "../../runtime/errors.ts";
import type { Kernel } from "./wgsl_util.ts";

export const STORAGE = 0x0080 | 0x0004 | 0x0008; // STORAGE | COPY_SRC | COPY_DST

export class GpuContext {
  readonly device: GPUDevice;
  readonly #pipelines = new Map<string, GPUComputePipeline>();

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

  /** The compute pipeline of a kernel (cached by source). */
  pipeline(k: Kernel): GPUComputePipeline {
    let p = this.#pipelines.get(k.code);
    if (!p) {
      const module = this.device.createShaderModule({ code: k.code, label: k.label });
      p = this.device.createComputePipeline({
        layout: "auto",
        compute: { module, entryPoint: "main" },
        label: k.label,
      });
      this.#pipelines.set(k.code, p);
    }
    return p;
  }

  /** A prepared dispatch: pipeline + bind group over `buffers` (binding i = buffers[i]). */
  prepare(k: Kernel, buffers: GPUBuffer[]): PreparedKernel {
    const max = this.device.limits.maxComputeWorkgroupsPerDimension;
    if (k.groups.some((g) => g > max)) {
      throw new RangeError(
        `${k.label}: dispatch (${k.groups.join("×")}) exceeds ${max} workgroups per dimension`,
      );
    }
    const pipeline = this.pipeline(k);
    const bindGroup = this.device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
      label: k.label,
    });
    return { pipeline, bindGroup, groups: k.groups, label: k.label, flops: k.flops };
  }

  /** Run `fn` inside validation + out-of-memory error scopes; GPU errors become GpuError. */
  async scoped<T>(what: string, fn: () => T | Promise<T>): Promise<T> {
    this.device.pushErrorScope("out-of-memory");
    this.device.pushErrorScope("validation");
    let result: T | undefined;
    let thrown: unknown = null;
    try {
      result = await fn();
    } catch (e) {
      thrown = e;
    }
    const v = await this.device.popErrorScope();
    const o = await this.device.popErrorScope();
    const e = v ?? o;
    if (e) throw new GpuError(`${what}: ${e.message}`);
    if (thrown !== null) throw thrown;
    return result as T;
  }

  /** Read `floats` values of a storage buffer back (test helper; the train step reads only its result). */
  async read(buf: GPUBuffer, floats: number): Promise<Float32Array> {
    const bytes = Math.max(4, floats * 4);
    const staging = this.device.createBuffer({ size: Math.ceil(bytes / 4) * 4, usage: 0x0001 | 0x0008 });
    const enc = this.device.createCommandEncoder();
    enc.copyBufferToBuffer(buf, 0, staging, 0, Math.ceil(bytes / 4) * 4);
    this.device.queue.submit([enc.finish()]);
    await staging.mapAsync(1);
    const out = new Float32Array(staging.getMappedRange().slice(0, floats * 4));
    staging.unmap();
    staging.destroy();
    return out;
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

/** Test helper: run kernels once on fresh buffers and read back the named outputs. */
export async function runKernels(
  ctx: GpuContext,
  ks: { kernel: Kernel; buffers: GPUBuffer[] }[],
): Promise<void> {
  await ctx.scoped("runKernels", async () => {
    const prepared = ks.map((k) => ctx.prepare(k.kernel, k.buffers));
    const enc = ctx.device.createCommandEncoder();
    encodeAll(enc, prepared);
    ctx.device.queue.submit([enc.finish()]);
    await ctx.device.queue.onSubmittedWorkDone();
  });
}

/** Test helper: submit already prepared kernels and wait for them. */
export async function runPrepared(ctx: GpuContext, prepared: PreparedKernel[]): Promise<void> {
  await ctx.scoped("runPrepared", async () => {
    const enc = ctx.device.createCommandEncoder();
    encodeAll(enc, prepared);
    ctx.device.queue.submit([enc.finish()]);
    await ctx.device.queue.onSubmittedWorkDone();
  });
}

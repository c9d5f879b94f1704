// WebGPU ceiling on the current adapter: a tiled WGSL f32 matmul
// C(M,N) = A(M,K)·B(K,N) (row-major), 64×64 output tile per 16×16 workgroup,
// 4×4 outputs per invocation, K staged through workgroup memory in slabs of 16.
// M, N multiples of 64 and K of 16 (checked). Reports GFLOP/s of back-to-back
// dispatches (one submit, timed to onSubmittedWorkDone), median of reps.
// Also the per-call floors: a trivial write+dispatch+copy+map round trip, and
// mapAsync alone with nothing queued (the runtime's own wait).
// Usage: deno run -A --unstable-webgpu bench/matmul_gpu.ts [--quick]

const WGSL = /* wgsl */ `
struct Dims { M: u32, N: u32, K: u32, pad: u32 };
@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> B: array<f32>;
@group(0) @binding(2) var<storage, read_write> C: array<f32>;
@group(0) @binding(3) var<uniform> d: Dims;
var<workgroup> As: array<f32, 1024>; // 64 rows x 16 k
var<workgroup> Bs: array<f32, 1024>; // 16 k x 64 cols
@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let row0 = wg.y * 64u;
  let col0 = wg.x * 64u;
  let t = lid.y * 16u + lid.x;
  var acc: array<f32, 16>;
  for (var k0 = 0u; k0 < d.K; k0 += 16u) {
    for (var q = 0u; q < 4u; q++) {
      let e = t * 4u + q; // 0..1023
      let ar = e / 16u; let ak = e % 16u;
      let ai = (row0 + ar) * d.K + k0 + ak;
      As[e] = select(0.0, A[ai], ai < arrayLength(&A));
      let bk = e / 64u; let bc = e % 64u;
      let bi = (k0 + bk) * d.N + col0 + bc;
      Bs[e] = select(0.0, B[bi], bi < arrayLength(&B));
    }
    workgroupBarrier();
    for (var k = 0u; k < 16u; k++) {
      var a: array<f32, 4>;
      for (var i = 0u; i < 4u; i++) { a[i] = As[(lid.y * 4u + i) * 16u + k]; }
      for (var j = 0u; j < 4u; j++) {
        let b = Bs[k * 64u + lid.x * 4u + j];
        for (var i = 0u; i < 4u; i++) { acc[i * 4u + j] += a[i] * b; }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    for (var j = 0u; j < 4u; j++) {
      let ci = (row0 + lid.y * 4u + i) * d.N + col0 + lid.x * 4u + j;
      if (ci < arrayLength(&C)) { C[ci] = acc[i * 4u + j]; }
    }
  }
}`;

/** Median ms of `reps` timed runs of `once`, after `warm` untimed ones (self-contained: browser_infer.ts sends its source to a page). */
export async function medianMs(
  reps: number,
  warm: number,
  once: () => Promise<void>,
): Promise<number> {
  for (let r = 0; r < warm; r++) await once();
  const t: number[] = [];
  for (let r = 0; r < reps; r++) {
    const s = performance.now();
    await once();
    t.push(performance.now() - s);
  }
  t.sort((x, y) => x - y);
  return t[t.length >> 1];
}

export async function gpuMatmulGflops(
  device: GPUDevice,
  M: number,
  N: number,
  K: number,
  reps: number,
  inner: number,
): Promise<{ gflops: number; maxErr: number }> {
  if (M % 64 || N % 64 || K % 16) {
    throw new RangeError(
      `M,N must be multiples of 64 and K of 16, got ${M},${N},${K}`,
    );
  }
  const mod = device.createShaderModule({ code: WGSL });
  const pipe = device.createComputePipeline({
    layout: "auto",
    compute: { module: mod, entryPoint: "main" },
  });
  const a = new Float32Array(M * K).map(() => Math.random() - 0.5);
  const b = new Float32Array(K * N).map(() => Math.random() - 0.5);
  const mk = (data: Float32Array<ArrayBuffer>, usage: number) => {
    const buf = device.createBuffer({
      size: data.byteLength,
      usage: usage | GPUBufferUsage.COPY_DST,
    });
    device.queue.writeBuffer(buf, 0, data);
    return buf;
  };
  const bA = mk(a, GPUBufferUsage.STORAGE), bB = mk(b, GPUBufferUsage.STORAGE);
  const bC = device.createBuffer({
    size: M * N * 4,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
  });
  const bD = mk(
    new Float32Array(new Uint32Array([M, N, K, 0]).buffer),
    GPUBufferUsage.UNIFORM,
  );
  const read = device.createBuffer({
    size: M * N * 4,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  const bg = device.createBindGroup({
    layout: pipe.getBindGroupLayout(0),
    entries: [bA, bB, bC, bD].map((buffer, binding) => ({
      binding,
      resource: { buffer },
    })),
  });
  const runOnce = async (n: number) => {
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipe);
    pass.setBindGroup(0, bg);
    for (let i = 0; i < n; i++) pass.dispatchWorkgroups(N / 64, M / 64);
    pass.end();
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
  };
  await runOnce(1);
  // correctness spot check on a few entries
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(bC, 0, read, 0, M * N * 4);
  device.queue.submit([enc.finish()]);
  await read.mapAsync(GPUMapMode.READ);
  const c = new Float32Array(read.getMappedRange().slice(0));
  read.unmap();
  let maxErr = 0;
  for (let s = 0; s < 64; s++) {
    const i = (s * 7919) % M, j = (s * 104729) % N;
    let ref = 0;
    for (let k = 0; k < K; k++) ref += a[i * K + k] * b[k * N + j];
    maxErr = Math.max(maxErr, Math.abs(ref - c[i * N + j]));
  }
  const ms = await medianMs(reps, 0, () => runOnce(inner));
  for (const buf of [bA, bB, bC, bD, read]) buf.destroy();
  return { gflops: (2 * M * N * K * inner) / (ms * 1e6), maxErr };
}

/**
 * Floor of one WebGPU inference call on this adapter: write 40 bytes, one
 * trivial dispatch, copy to a staging buffer, mapAsync, read. Median ms.
 */
export async function gpuRoundTripMs(
  device: GPUDevice,
  reps: number,
): Promise<number> {
  const mod = device.createShaderModule({
    code: `@group(0) @binding(0) var<storage, read_write> a: array<f32>;
@compute @workgroup_size(1) fn main() { a[0] = a[0] + 1.0; }`,
  });
  const pipe = device.createComputePipeline({
    layout: "auto",
    compute: { module: mod, entryPoint: "main" },
  });
  const buf = device.createBuffer({
    size: 40,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC |
      GPUBufferUsage.COPY_DST,
  });
  const read = device.createBuffer({
    size: 40,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  const bg = device.createBindGroup({
    layout: pipe.getBindGroupLayout(0),
    entries: [{ binding: 0, resource: { buffer: buf } }],
  });
  const input = new Float32Array(10);
  const ms = await medianMs(reps, 3, async () => {
    device.queue.writeBuffer(buf, 0, input);
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipe);
    pass.setBindGroup(0, bg);
    pass.dispatchWorkgroups(1);
    pass.end();
    enc.copyBufferToBuffer(buf, 0, read, 0, 40);
    device.queue.submit([enc.finish()]);
    await read.mapAsync(GPUMapMode.READ);
    new Float32Array(read.getMappedRange().slice(0));
    read.unmap();
  });
  buf.destroy();
  read.destroy();
  return ms;
}

/**
 * mapAsync + unmap of a staging buffer with no GPU work pending: what the
 * runtime's map path costs by itself (in Deno it polls the device and sleeps
 * ~10 ms before resolving even when nothing is queued). Median ms.
 */
export async function gpuIdleMapMs(
  device: GPUDevice,
  reps: number,
): Promise<number> {
  const read = device.createBuffer({
    size: 40,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  const ms = await medianMs(reps, 3, async () => {
    await read.mapAsync(GPUMapMode.READ);
    read.unmap();
  });
  read.destroy();
  return ms;
}

if (import.meta.main) {
  const quick = Deno.args.includes("--quick");
  try {
    const adapter = await navigator.gpu?.requestAdapter();
    if (!adapter) throw new Error("no WebGPU adapter");
    const device = await adapter.requestDevice();
    const info = adapter.info;
    const res: Record<string, unknown> = {};
    for (const [M, N, K] of [[256, 256, 256], [512, 512, 512]]) {
      res[`tiled_${M}x${N}x${K}`] = await gpuMatmulGflops(
        device,
        M,
        N,
        K,
        quick ? 3 : 7,
        quick ? 2 : 4,
      );
    }
    const roundtrip_ms = await gpuRoundTripMs(device, quick ? 10 : 30);
    const idle_map_ms = await gpuIdleMapMs(device, quick ? 10 : 30);
    console.log(JSON.stringify({
      lib: "matmul-wgsl",
      roundtrip_ms,
      idle_map_ms,
      adapter: `${info.vendor} ${info.architecture} ${info.device} ${info.description}`
        .trim(),
      gflops: res,
    }));
    device.destroy();
  } catch (e) {
    console.log(JSON.stringify({ lib: "matmul-wgsl", error: String(e) }));
  }
}

// WebGPU buffer usage and map-mode flags as plain numbers (the spec's values),
// so modules can name them where the GPUBufferUsage global is absent (edge
// runtimes without WebGPU import this code too). Shared by inference and
// training; separate constants so the bundler inlines them.

/** GPUBufferUsage.MAP_READ */
export const MAP_READ = 0x0001;
/** GPUBufferUsage.COPY_SRC */
export const COPY_SRC = 0x0004;
/** GPUBufferUsage.COPY_DST */
export const COPY_DST = 0x0008;
/** GPUBufferUsage.UNIFORM */
export const UNIFORM = 0x0040;
/** GPUBufferUsage.STORAGE */
export const STORAGE = 0x0080;
/** GPUMapMode.READ */
export const MAP_MODE_READ = 0x0001;

// WebGPU buffer usage and map-mode flags as plain numbers (the spec's values),
// so modules can name them where the GPUBufferUsage global is absent (edge
// runtimes without WebGPU import this code too). Shared by inference and
// training.

/** GPUBufferUsage flags. */
export const USAGE = {
  MAP_READ: 0x0001,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  UNIFORM: 0x0040,
  STORAGE: 0x0080,
} as const;

/** GPUMapMode.READ */
export const MAP_MODE_READ = 0x0001;

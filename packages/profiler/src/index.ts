export { PROFILE_CATEGORIES, type KnownCategory, type ProfileCategory } from './categories.js';
export { createProfiler, createNoopProfiler, type Profiler, type ProfilerOptions, type Operation } from './profiler.js';
export type { OperationSnapshot } from './operation-stats.js';
export type { ProfileReport, BottleneckEntry } from './report.js';
export type { TraceEvent } from './trace.js';
export { LogLinearHistogram, HISTOGRAM_RELATIVE_ERROR } from './histogram.js';
export { startSystemSampler, type SystemSampler, type SystemSamplerOptions, type GpuMemory, type GpuProbe, type GpuReading } from './sampler.js';
export { nvidiaSmiProbe, parseNvidiaSmi, GPU_DEVICE_METRICS, type GpuDeviceSample } from './gpu.js';

/** The categories the seeds profile under. Any other string is allowed too. */
export const PROFILE_CATEGORIES = {
  experimentTracking: 'experiment_tracking',
  progressMonitoring: 'progress_monitoring',
  performanceBenchmarking: 'performance_benchmarking',
  memoryUsage: 'memory_usage',
  parallelComputation: 'parallel_computation',
} as const;

export type KnownCategory = (typeof PROFILE_CATEGORIES)[keyof typeof PROFILE_CATEGORIES];
/** A known category, or any custom string (autocompletion keeps the known ones). */
export type ProfileCategory = KnownCategory | (string & {});

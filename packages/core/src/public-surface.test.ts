import { describe, expect, it } from 'vitest';
import * as backend from './backend.js';
import * as index from './index.js';

/** What users call: a tracker, its errors and logger, the naming conventions and metric helpers. */
const USER_SURFACE = [
  'CATEGORIES',
  'DEFAULT_NAME_RULES',
  'ExportError',
  'InvalidCallError',
  'InvalidConfigError',
  'InvalidMetricNameError',
  'InvalidMetricValueError',
  'LEGACY_METRIC_NAMES',
  'MAX_STEP',
  'METRIC_PREFIX_ALIASES',
  'MetricAggregator',
  'MetricRegistry',
  'MetricsError',
  'SKIP_REASONS',
  'STANDARD_METRICS',
  'STANDARD_METRIC_PATTERNS',
  'WindowAggregate',
  'categoryOf',
  'checkMetricName',
  'createAliasRewriter',
  'createLegacyMigrator',
  'createLogger',
  'createTracker',
  'defaultRunName',
  'globToRegExp',
  'groupByCategory',
  'isValidMetricName',
  'normalizeMetricName',
  'passesPriority',
  'runTracked',
  'searchMetrics',
  'toCustomMetricName',
  'toSegment',
  'withPrefix',
];

/** A sample of what only backend authors need: one or more from each area of `@metrics/core/backend`. */
const BACKEND_ONLY = [
  'SPECIFICATION_VERSION',
  'EXPORT_OK',
  'failure',
  'defineBackend',
  'parseOptions',
  'trackerOptionsSchema',
  'Pipeline',
  'DEFAULT_BATCH_OPTIONS',
  'openSpool',
  'spoolFileName',
  'replaySpool',
  'withRetry',
  'classifyError',
  'parseRetryAfter',
  'HttpClient',
  'retryUnless',
  'ProtoWriter',
  'ProtoReader',
  'registerForExit',
  'scrubSecrets',
  'encodePng',
  'StepClock',
  'IntervalAggregator',
  'redact',
  'withSecrets',
];

describe('public surface', () => {
  it("@metrics/core's index exports what users call, and nothing else", () => {
    expect(Object.keys(index).sort()).toEqual([...USER_SURFACE].sort());
  });

  it('backend-only symbols are on @metrics/core/backend, not on the index', () => {
    for (const name of BACKEND_ONLY) {
      expect(name in index, `${name} on the index`).toBe(false);
      expect(typeof (backend as Record<string, unknown>)[name], `${name} on /backend`).not.toBe('undefined');
    }
  });

  it('@metrics/core/backend re-exports the whole user surface (one import suffices for a backend)', () => {
    for (const name of Object.keys(index)) expect((backend as Record<string, unknown>)[name]).toBe((index as Record<string, unknown>)[name]);
  });
});

/**
 * `@metrics/core/test`: what backend packages and users need to test trackers, with no test runner needed.
 * The exporter conformance suite, which registers vitest tests, is `@metrics/core/test/vitest`.
 */
export { InMemoryExporter } from './testing/in-memory-exporter.js';
export { createFakeClock } from './testing/fake-clock.js';
export { histogramRecord, sampleRecords, testRunInfo, thrown } from './testing/sample-records.js';

/** `@metrics/core/test`: what backend packages and users need to test trackers. */
export { InMemoryExporter } from './testing/in-memory-exporter.js';
export { createFakeClock } from './testing/fake-clock.js';
export { runExporterConformance, sampleRecords, type ConformanceSubject } from './testing/conformance.js';

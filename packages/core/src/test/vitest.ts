/** `@metrics/core/test/vitest`: the exporter conformance suite as vitest tests (needs `vitest` installed). */
export { runExporterConformance, type ConformanceSubject } from '../testing/conformance.js';
export { useTempDirs } from '../testing/temp-dirs.js';

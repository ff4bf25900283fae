// Child process for exit.test.ts: logs, then is signalled or simply ends without close().
import { appendFileSync } from 'node:fs';
import { createTracker, EXPORT_OK, type ExporterV1 } from '../src/backend.js';

const [out, mode] = process.argv.slice(2) as [string, string];
const exporter: ExporterV1 = {
  specificationVersion: 'v1',
  name: 'file',
  capabilities: new Set(['scalar']),
  start: async () => EXPORT_OK,
  export: async (batch) => {
    // A backend that answers slowly, through a timer that does not keep the process alive by itself.
    if (mode === 'slow-close') await new Promise((r) => setTimeout(r, 300).unref());
    appendFileSync(out, batch.map((r) => JSON.stringify(r)).join('\n') + '\n');
    return EXPORT_OK;
  },
  forceFlush: async () => {},
  shutdown: async (outcome) => appendFileSync(out, JSON.stringify({ outcome }) + '\n'),
  runIds: () => ({}),
  native: () => undefined,
};
const tracker = createTracker({ exporters: [exporter], batch: { scheduledDelayMs: 60_000 }, logLevel: 'silent' });
for (let i = 0; i < 5; i++) tracker.log({ 'training/loss': i }, { step: i });
if (mode === 'slow-close') {
  await tracker.close();
  appendFileSync(out, JSON.stringify({ closed: true }) + '\n');
}
if (mode === 'signal') {
  setInterval(() => {}, 1000); // a program busy training
  process.kill(process.pid, 'SIGTERM');
}

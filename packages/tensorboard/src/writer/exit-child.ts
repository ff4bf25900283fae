/** Child for exit.test.ts: buffers scalars without flushing, then calls process.exit. */
import { EventFileWriter } from './event-file-writer.js';

const w = new EventFileWriter(process.argv[2]!, { flushIntervalMs: 3_600_000 });
await w.open();
for (let s = 0; s < 50; s++) w.appendScalar('training/loss', s, Date.now() / 1000, s);
process.exit(0);

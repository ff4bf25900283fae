/** Child process for the SIGKILL test: flushes 100 scalars, leaves half a record on disk and 50 unflushed, then waits to be killed. */
import { appendFileSync } from 'node:fs';
import { EventFileWriter } from '../writer/event-file-writer.js';

const dir = process.argv[2]!;
const w = new EventFileWriter(dir, { flushIntervalMs: 3_600_000 });
await w.open();
const wall = Date.now() / 1000;
for (let s = 0; s < 100; s++) w.appendScalar('training/loss', s, wall, s / 100);
await w.flush();
// What a crash in the middle of a write leaves: the first bytes of the next record.
const half = new EventFileWriter(dir);
half.appendScalar('training/loss', 100, wall, 1);
appendFileSync(w.path!, half.pendingCopy().subarray(0, 20));
for (let s = 101; s < 150; s++) w.appendScalar('training/loss', s, wall, s / 100); // buffered, never flushed
process.stdout.write(`READY ${w.path}\n`);
setInterval(() => undefined, 1000);

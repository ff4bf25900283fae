/** A resumed run's event file: a restart marker at the resume step first, and a name that sorts after the run's other files. */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@metrics/core';
import type { RunInfo } from '@metrics/core/backend';
import { useTempDirs } from '@metrics/core/test/vitest';
import { createTensorBoardExporter } from '../exporter.js';
import { SESSION_LOG_START } from '../proto/messages.js';
import { tensorboardType } from '../proto/protobufjs.js';
import { iterateRecords } from '../reader/records.js';
import { secsAfterExisting } from './paths.js';

const tempDir = useTempDirs('tb-resume');
const Event = tensorboardType('Event');
const silent = () => createLogger({ level: 'silent' });
const run = (over: Partial<RunInfo> = {}): RunInfo => ({ experiment: 'exp', runName: 'r1', tags: {}, startTime: Date.now(), ...over });

/** Each event of a file as [what, step, session_log status]. */
function firstEvents(path: string): [string, number, number | undefined][] {
  const out: [string, number, number | undefined][] = [];
  for (const rec of iterateRecords(readFileSync(path), [])) {
    const e = Event.toObject(Event.decode(rec.data), { longs: Number, oneofs: true }) as { what: string; step?: number; session_log?: { status?: number } };
    out.push([e.what, e.step ?? 0, e.session_log?.status]);
  }
  return out;
}

async function writeOne(runDir: string, info: RunInfo, purgeOnResume?: boolean): Promise<string> {
  const before = new Set(readdirSafe(runDir));
  const ex = createTensorBoardExporter({ runDir, logger: silent(), ...(purgeOnResume === undefined ? {} : { purgeOnResume }) });
  await ex.start(info);
  await ex.export([{ kind: 'scalar', name: 'training/loss', value: 1, step: info.resumeStep ?? 0, wallTime: Date.now() }]);
  await ex.shutdown({ status: 'finished' });
  return join(runDir, readdirSafe(runDir).find((f) => !before.has(f))!);
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

describe('TensorBoard resume: restart marker', () => {
  it('a resumed run starts its new file with file_version, then SessionLog START at the resume step twice, then the data', async () => {
    const runDir = tempDir();
    await writeOne(runDir, run());
    const resumed = await writeOne(runDir, run({ resume: { logDir: runDir }, resumeStep: 60 }));
    expect(firstEvents(resumed)).toEqual([
      ['file_version', 0, undefined],
      ['session_log', 60, SESSION_LOG_START],
      ['session_log', 60, SESSION_LOG_START],
      ['summary', 60, undefined],
    ]);
  });

  it('a new run has no marker, and purgeOnResume: false leaves it out of a resumed run', async () => {
    const runDir = tempDir();
    const fresh = await writeOne(runDir, run());
    const kept = await writeOne(runDir, run({ resume: { logDir: runDir }, resumeStep: 60 }), false);
    for (const file of [fresh, kept]) expect(firstEvents(file).map(([what]) => what)).toEqual(['file_version', 'summary']);
  });

  it('the resumed file sorts after a file of the same or a later second (another pid would sort by its number)', async () => {
    const runDir = tempDir();
    const later = Math.floor(Date.now() / 1000) + 5;
    // The crashed attempt's file, from a pid that sorts after ours within the same second.
    const crashed = `events.out.tfevents.${String(later).padStart(10, '0')}.host.999999999.0`;
    writeFileSync(join(runDir, crashed), '');
    const resumed = await writeOne(runDir, run({ resume: { logDir: runDir }, resumeStep: 3 }));
    expect(readdirSync(runDir).sort()).toEqual([crashed, resumed.slice(runDir.length + 1)]);
    expect(resumed).toContain(`.tfevents.${String(later + 1).padStart(10, '0')}.`);
  });

  it('secsAfterExisting: unchanged without later files or directory, else the latest second + 1', () => {
    const dir = tempDir();
    expect(secsAfterExisting(join(dir, 'missing'), 100.5)).toBe(100.5);
    writeFileSync(join(dir, 'events.out.tfevents.0000000090.h.1.0'), '');
    writeFileSync(join(dir, 'not-an-event-file.0000009999'), '');
    expect(secsAfterExisting(dir, 100.5)).toBe(100.5);
    writeFileSync(join(dir, 'events.out.tfevents.0000000100.h.1.0'), '');
    expect(secsAfterExisting(dir, 100.5)).toBe(101);
  });
});

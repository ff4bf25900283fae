import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createLogger } from '@metrics/core';
import { createWandbExporter, createWandbTracker } from './exporter.js';
import { itemsToObject, readWandbFile } from './log/records.js';
import type { OfflineNative } from './offline/offline-exporter.js';
import { safeRunId, safeSegment } from './paths.js';

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(join(d.parentPath ?? dir, d.name)) : [join(dir, d.name)]));
}

describe('names never escape the run directory', () => {
  it('turns any string into one safe path segment', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (name) => {
        for (const s of [safeSegment(name), safeRunId(name)]) {
          expect(s.length).toBeGreaterThan(0);
          expect(s).not.toMatch(/[/\\\0]/);
          expect(s).not.toMatch(/^\.\.?$/);
          expect(s.startsWith('.')).toBe(false);
        }
      }),
    );
    expect(safeSegment('../../etc/passwd')).toBe('___.._etc_passwd');
    expect(safeRunId('a/b:c#d')).toBe('a-b-c-d');
  });

  it('keeps hostile run ids, run names and media names inside WANDB_DIR', async () => {
    const root = mkdtempSync(join(tmpdir(), 'wandb-safe-'));
    const dir = join(root, 'inside');
    const e = createWandbExporter({ mode: 'offline', dir, runId: '../../../escape\0me', logger: createLogger({ level: 'silent' }), env: {} });
    await e.start({ experiment: '../../proj', runName: '/etc/passwd', tags: {}, startTime: Date.now() });
    await e.export([
      { kind: 'image', name: '../../../../evil/..\\x', step: 0, wallTime: Date.now(), image: { width: 1, height: 1, channels: 1, data: new Uint8Array([7]) } },
    ]);
    await e.shutdown({ status: 'finished' });
    for (const f of walk(root)) expect(relative(dir, f).startsWith('..')).toBe(false);
    expect(readdirSync(root)).toEqual(['inside']);
    expect((e.native() as OfflineNative).runDir!.startsWith(join(dir, 'wandb', 'offline-run-'))).toBe(true);
  });
});

describe('the API key never reaches files or logs', () => {
  it('offline run with a key in the environment: no file and no log line contains it', async () => {
    const key = 'topsecret_' + 'q'.repeat(40);
    const dir = mkdtempSync(join(tmpdir(), 'wandb-key-'));
    const lines: string[] = [];
    const t = createWandbTracker({
      mode: 'offline',
      dir,
      env: { WANDB_API_KEY: key },
      experiment: 'p',
      runName: 'r',
      handleExit: false,
      logger: createLogger({ level: 'debug', sink: (_l, line) => lines.push(line) }),
    });
    t.logConfig({ note: 'config' });
    t.log({ 'training/loss': 1 }, { step: 0 });
    await t.close();
    const files = walk(dir).filter((f) => statSync(f).isFile());
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) expect(readFileSync(f).includes(Buffer.from(key))).toBe(false);
    for (const l of lines) expect(l).not.toContain(key);
  });
});

describe('offline resume', () => {
  it('continues _step after the rows written by the earlier process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wandb-resume-'));
    const silent = createLogger({ level: 'silent' });
    const a = createWandbTracker({ mode: 'offline', dir, env: {}, experiment: 'p', runName: 'r', handleExit: false, logger: silent });
    for (let s = 0; s < 5; s++) a.log({ 'training/loss': s }, { step: s });
    await a.close();
    const b = createWandbTracker({ mode: 'offline', dir, env: {}, handleExit: false, logger: silent, resume: a.runHandle() });
    b.log({ 'training/loss': 9 }, { step: 3 });
    await b.close();
    const runs = readdirSync(join(dir, 'wandb'))
      .filter((n) => n.startsWith('offline-run-'))
      .sort();
    expect(runs).toHaveLength(2);
    // (cast: typecheck may resolve an older built @metrics/core where runIds was flat)
    const id = (a.runHandle().runIds as unknown as Record<string, Record<string, string>>).wandb!.runId!;
    const rows = runs.flatMap((r) =>
      readWandbFile(join(dir, 'wandb', r, `run-${id}.wandb`))
        .records.filter((x) => x.type === 'history')
        .map((x) => itemsToObject(x.data.item)),
    );
    expect(rows.map((r) => r._step)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(rows.at(-1)).toMatchObject({ 'training/loss': 9, global_step: 3 });
  });
});

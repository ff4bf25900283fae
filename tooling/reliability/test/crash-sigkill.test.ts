/**
 * SIGKILL at seeded random moments of a child that keeps logging (TensorBoard tracker, W&B offline
 * tracker). After each kill the real readers — TensorBoard's EventFileLoader and `wandb leet inspect` —
 * read the file up to its last complete record without error, and what they read is exactly a prefix of
 * what was logged: steps 0..k, each once, in order, with the logged values.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureVenv } from '@metrics/oracle';
import { readEventFile } from '@metrics/tensorboard';
import { readWandbFile } from '@metrics/wandb';
import { isPrefixRange, removeTempDirs, seededRandom, sleep, startChild, tempDir } from './support/faults-children.js';
import { eventFileIn, historyRows, leetInspect, loadEventFiles } from './support/faults-readers.js';

const KILLS = 5;
const SEED = 0x5eed;
const loss = (step: number) => 1 / (step + 1);
const accuracy = (step: number) => step / 1e6;

afterAll(() => removeTempDirs());
beforeAll(async () => {
  await ensureVenv();
}, 900_000);

/** Starts the child, waits until its first 100 steps are on disk, then SIGKILLs it after a seeded delay. */
async function killAtRandom(child: string, args: string[], rng: () => number): Promise<number> {
  const c = startChild(child, args);
  await c.waitFor(/READY\n/);
  const delay = Math.round(10 + rng() * 700);
  await sleep(delay);
  c.proc.kill('SIGKILL');
  const { signal } = await c.exited;
  expect(signal).toBe('SIGKILL');
  return delay;
}

describe('SIGKILL while writing', () => {
  it(`TensorBoard: ${KILLS} kills, each file reads back as a prefix of what was logged`, async () => {
    const rng = seededRandom(SEED);
    const root = tempDir('rel-kill-tb-');
    const kills: { file: string; delay: number }[] = [];
    for (let i = 0; i < KILLS; i++) {
      const runDir = join(root, `kill${i}`);
      const delay = await killAtRandom('crash-tensorboard.ts', [runDir], rng);
      kills.push({ file: eventFileIn(runDir), delay });
    }
    const loaded = await loadEventFiles(kills.map((k) => k.file));
    const prefixes: number[] = [];
    let tornTails = 0;
    for (const { file } of kills) {
      const ours = readEventFile(file);
      if (ours.truncatedAt !== undefined) tornTails++;
      // Whole records only: at most a torn tail, never a bad checksum.
      expect(ours.errors.filter((e) => e.problem !== 'truncated')).toEqual([]);
      const tb = loaded[file]!;
      expect(tb.events).toBe(ours.events.length);
      for (const [tag, f] of [
        ['training/loss', loss],
        ['training/accuracy', accuracy],
      ] as const) {
        const points = tb.scalars[tag] ?? [];
        expect(points.length).toBeGreaterThanOrEqual(100);
        expect(isPrefixRange(points.map(([s]) => s))).toBe(true);
        expect(points.filter(([s, v]) => v !== Math.fround(f(s)))).toEqual([]);
      }
      prefixes.push(tb.scalars['training/loss']!.length);
    }
    console.log(
      `reliability: TensorBoard writer SIGKILLed ${KILLS}× (seed ${SEED}, after ${kills.map((k) => k.delay).join('/')} ms) — ` +
        `EventFileLoader read steps 0..k with k+1 = ${prefixes.join('/')} (${tornTails} torn tails), same record count as our reader, values exact — held`,
    );
  }, 300_000);

  it(`W&B offline: ${KILLS} kills, each .wandb file reads back as a prefix of what was logged`, async () => {
    const rng = seededRandom(SEED + 1);
    const root = tempDir('rel-kill-wandb-');
    const delays: number[] = [];
    const prefixes: number[] = [];
    let incomplete = 0;
    for (let i = 0; i < KILLS; i++) {
      const dir = join(root, `kill${i}`);
      delays.push(await killAtRandom('crash-wandb.ts', [dir, `kill${i}`], rng));
      const runDir = join(dir, 'wandb', readdirSync(join(dir, 'wandb')).find((d) => d.startsWith('offline-run-'))!);
      const file = join(runDir, `run-kill${i}.wandb`);
      const inspected = await leetInspect(file);
      expect(inspected.code, inspected.stderr).toBe(0);
      if (/incomplete/.test(inspected.stderr)) incomplete++;
      // wandb's reader and ours agree on which records are complete.
      expect(inspected.records.map((r) => r.type)).toEqual(readWandbFile(file).records.map((r) => r.type));
      expect(inspected.records.some((r) => r.type === 'exit')).toBe(false);
      const rows = historyRows(inspected.records);
      expect(rows.length).toBeGreaterThanOrEqual(100);
      expect(isPrefixRange(rows.map((r) => r._step!))).toBe(true);
      expect(isPrefixRange(rows.map((r) => r.global_step!))).toBe(true);
      expect(rows.filter((r) => r['training/loss'] !== loss(r.global_step!) || r['training/accuracy'] !== accuracy(r.global_step!))).toEqual([]);
      prefixes.push(rows.length);
    }
    console.log(
      `reliability: W&B offline writer SIGKILLed ${KILLS}× (seed ${SEED + 1}, after ${delays.join('/')} ms) — ` +
        `wandb leet inspect read rows 0..k with k+1 = ${prefixes.join('/')} (${incomplete} torn tails reported by wandb), values exact, no exit record — held`,
    );
  }, 300_000);
});

import { readdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@metrics/core';
import { ensureVenv } from '@metrics/oracle';
import { fakeTerminal } from '../console/fake-terminal.js';
import { createWandbTracker } from '../exporter.js';
import { readWandbFile } from '../log/records.js';
import { startFakeWandbServer, type FakeWandbServer } from '../testing/fake-wandb-server.js';
import { leetInspect, runWandbCli } from './tools.js';

const API_KEY = 'k'.repeat(40);
let server: FakeWandbServer;
beforeAll(async () => {
  server = await startFakeWandbServer();
});
afterAll(() => server.close());
// The real tools' virtualenv is built (minutes, first use only) in a hook with a long timeout; the tests fail loudly without it.
beforeAll(() => ensureVenv(), 900_000);

interface Expected {
  stream: 'stdout' | 'stderr';
  text: string;
}

/**
 * An offline run with `console: 'wrap'` that prints while it logs, the way a training script does:
 * whole lines, lines written in pieces, UTF-8 split across Buffer writes, stderr, and a last line
 * without newline. Our own logger writes to the same stderr and must not be captured.
 */
async function printingRun(runId: string, epochs: number, mode: Record<string, unknown>) {
  const terminal = fakeTerminal();
  const expected: Expected[] = [];
  try {
    const logger = createLogger({ level: 'info', prefix: '[metrics:wandb]', sink: (_l, line) => process.stderr.write(line + '\n') });
    const tracker = createWandbTracker({
      console: 'wrap',
      runId,
      experiment: 'console-proj',
      runName: 'printing run',
      handleExit: false,
      logger,
      env: {},
      ...mode,
    });
    tracker.log({ 'training/loss': 1 }, { step: 0 }); // starts the run (and the capture)
    await tracker.flush();
    for (let epoch = 1; epoch <= epochs; epoch++) {
      process.stdout.write(`epoch ${epoch} loss ${(1 / epoch).toFixed(4)}\n`);
      expected.push({ stream: 'stdout', text: `epoch ${epoch} loss ${(1 / epoch).toFixed(4)}` });
      tracker.log({ 'training/loss': 1 / epoch }, { step: epoch });
      if (epoch % 10 === 0) {
        process.stderr.write(`warning: epoch ${epoch} slow\n`);
        expected.push({ stream: 'stderr', text: `warning: epoch ${epoch} slow` });
        process.stdout.write(`eval ${epoch}: `);
        process.stdout.write('accuracy 0.9\nnext');
        process.stdout.write(' line\n');
        expected.push({ stream: 'stdout', text: `eval ${epoch}: accuracy 0.9` }, { stream: 'stdout', text: 'next line' });
      }
    }
    const utf8 = Buffer.from('héllo ✓ wörld\n');
    process.stdout.write(utf8.subarray(0, 2)); // splits the 2-byte "é"
    process.stdout.write(utf8.subarray(2));
    expected.push({ stream: 'stdout', text: 'héllo ✓ wörld' });
    process.stdout.write('tail without newline');
    expected.push({ stream: 'stdout', text: 'tail without newline' });
    await tracker.close();
    // Restored: the terminal's writers are back, and every byte reached it unchanged.
    expect(process.stdout.write).toBe(terminal.writers.stdout);
    expect(process.stderr.write).toBe(terminal.writers.stderr);
    const printed = expected
      .filter((e) => e.stream === 'stdout')
      .map((e) => e.text)
      .join('\n');
    expect(terminal.text('stdout')).toBe(printed);
    return {
      expected,
      ourLines: terminal
        .text('stderr')
        .split('\n')
        .filter((l) => l.startsWith('[metrics')),
    };
  } finally {
    terminal.restore();
  }
}

const STAMP = /^(ERROR )?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6} /;
/** An output.log line without its time stamp (kept: the `ERROR ` mark of stderr lines). */
const unstamped = (line: string) => line.replace(STAMP, '$1');
const asLogLine = (e: Expected) => `${e.stream === 'stderr' ? 'ERROR ' : ''}${e.text}`;

describe('console capture read back by the real wandb', () => {
  it('offline: `wandb leet inspect` reads our output_raw records; `wandb sync` uploads them as output.log; online sends the same lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wandb-console-'));
    const t0 = Date.now();
    const { expected, ourLines } = await printingRun('console1', 100, { mode: 'offline', dir });
    const t1 = Date.now();
    expect(ourLines.length).toBeGreaterThan(0); // our logger did print to the same stderr …
    const wandbDir = join(dir, 'wandb');
    const runDir = join(wandbDir, readdirSync(wandbDir).find((n) => n.startsWith('offline-run-'))!);

    // The real Go reader: one output_raw record per line, in order, with stream and text (newline included).
    const { records, run } = await leetInspect(runDir);
    expect(run.code, run.stderr).toBe(0);
    const theirs = records.filter((r) => r.type === 'output_raw').map((r) => r.output_raw as { line: string; output_type?: string; timestamp: string });
    const wanted = expected.map((e) => ({ line: `${e.text}\n`, output_type: e.stream === 'stderr' ? 'STDERR' : 'STDOUT' }));
    expect(theirs.map((r) => ({ line: r.line, output_type: r.output_type ?? 'STDERR' }))).toEqual(wanted); // proto3 omits STDERR = 0
    for (const r of theirs) expect(Date.parse(r.timestamp)).toBeGreaterThanOrEqual(Math.floor(t0 / 1000) * 1000);
    for (const r of theirs) expect(Date.parse(r.timestamp)).toBeLessThanOrEqual(t1);
    // … but none of our own lines was captured.
    expect(theirs.filter((r) => r.line.includes('[metrics'))).toEqual([]);
    // Our reader agrees record for record.
    const ours = readWandbFile(join(runDir, 'run-console1.wandb')).records.filter((r) => r.type === 'output_raw');
    expect(ours.map((r) => ({ line: r.data.line, output_type: r.data.output_type === 1 ? 'STDOUT' : 'STDERR' }))).toEqual(wanted);

    // Real `wandb sync`: the records become output.log lines in file_stream ("[ERROR ]<UTC time> text"),
    // at offsets 0…n−1, and the output.log file is uploaded.
    const res = await runWandbCli(['sync', '--yes', runDir], { WANDB_BASE_URL: server.url, WANDB_API_KEY: API_KEY });
    expect(res.code, `${res.stdout}\n${res.stderr}`).toBe(0);
    const synced = server.lines('console1', 'output.log');
    for (const l of synced) expect(l).toMatch(STAMP);
    expect(synced.map(unstamped)).toEqual(expected.map(asLogLine));
    expect([...server.runs.get('console1')!.files.get('output.log')!.keys()].sort((a, b) => a - b)).toEqual(synced.map((_, i) => i));
    // The uploaded output.log file holds the plain text, one line each.
    const uploaded = server.uploads.get('console1/output.log')!.toString('utf8');
    expect(uploaded.split('\n').filter((l) => l !== '')).toEqual(expected.map((e) => e.text));

    // Our online client sends the same output.log lines as wandb sync does for the offline run.
    const online = await printingRun('console2', 100, { mode: 'online', apiKey: API_KEY, baseUrl: server.url, fileStream: { intervalMs: 20 } });
    const streamed = server.lines('console2', 'output.log');
    for (const l of streamed) expect(l).toMatch(STAMP);
    expect(streamed.map(unstamped)).toEqual(synced.map(unstamped));
    expect([...server.runs.get('console2')!.files.get('output.log')!.keys()].sort((a, b) => a - b)).toEqual(streamed.map((_, i) => i));
    expect(online.expected).toEqual(expected);
    console.log(
      `wandb console: ${expected.length} lines (${expected.filter((e) => e.stream === 'stderr').length} stderr) — ${theirs.length} output_raw read by ` +
        `wandb, ${synced.length} output.log lines synced, ${streamed.length} streamed online — held`,
    );
  }, 300_000);
});

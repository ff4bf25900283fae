import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '@metrics/core';
import { fakeTerminal, type FakeTerminal } from '../console/fake-terminal.js';
import { createWandbExporter, createWandbTracker } from '../exporter.js';
import { readWandbFile } from '../log/records.js';
import type { OfflineNative } from '../offline/offline-exporter.js';
import { startFakeWandbServer, type FakeWandbServer } from '../testing/fake-wandb-server.js';
import type { OnlineNative } from './online-exporter.js';

const API_KEY = 'consolekey-' + 'b'.repeat(40);
let server: FakeWandbServer;
let terminal: FakeTerminal;
beforeEach(async () => {
  server = await startFakeWandbServer();
  terminal = fakeTerminal();
});
afterEach(async () => {
  terminal.restore();
  await server.close();
});

const STAMP = /^(ERROR )?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6} /;
const unstamped = (line: string) => line.replace(STAMP, '$1');
// Our logger prints to the same stderr the run captures.
const stderrLogger = () => createLogger({ level: 'info', prefix: '[metrics:wandb]', sink: (_l, line) => process.stderr.write(line + '\n') });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function onlineTracker(runId: string, extra: Record<string, unknown> = {}) {
  return createWandbTracker({
    mode: 'online',
    apiKey: API_KEY,
    baseUrl: server.url,
    project: 'console-proj',
    runId,
    experiment: 'ignored',
    runName: 'console run',
    handleExit: false,
    logger: stderrLogger(),
    env: {},
    console: 'wrap',
    fileStream: { intervalMs: 20, heartbeatMs: 60_000 },
    ...extra,
  });
}

describe('online console capture: output.log through file_stream', () => {
  it('streams stdout and stderr lines at contiguous offsets over several requests; our own lines stay out', async () => {
    const t = onlineTracker('out1');
    t.log({ 'training/loss': 1 }, { step: 0 });
    await t.flush(); // the run exists: capture is on
    const expected: string[] = [];
    for (let i = 0; i < 60; i++) {
      process.stdout.write(`step ${i}\n`);
      expected.push(`step ${i}`);
      if (i % 20 === 19) {
        process.stderr.write(`slow step ${i}\n`);
        expected.push(`ERROR slow step ${i}`);
        await sleep(150); // lets capture deliver and file_stream send: lines span requests
      }
    }
    process.stdout.write(' 10%\r 50%\r100%\n'); // a progress bar: the line as the terminal shows it
    expected.push('100%');
    process.stdout.write('no newline at the end');
    expected.push('no newline at the end');
    await t.close();

    const lines = server.lines('out1', 'output.log');
    for (const l of lines) expect(l).toMatch(STAMP);
    expect(lines.map(unstamped)).toEqual(expected);
    expect([...server.runs.get('out1')!.files.get('output.log')!.keys()].sort((a, b) => a - b)).toEqual(expected.map((_, i) => i));
    const carrying = server.requests.filter((r) => r.kind === 'file_stream' && (r.json as { files?: Record<string, unknown> }).files?.['output.log']);
    expect(carrying.length).toBeGreaterThanOrEqual(2);
    expect(terminal.text('stderr')).toContain('[metrics:wandb]'); // our logger printed …
    expect(lines.filter((l) => l.includes('[metrics'))).toEqual([]); // … and was not captured
    expect(process.stdout.write).toBe(terminal.writers.stdout);
    expect(process.stderr.write).toBe(terminal.writers.stderr);
    console.log(`wandb console online: ${expected.length} lines in ${carrying.length} file_stream requests, offsets 0…${expected.length - 1} — held`);
  });

  it('a resumed run continues output.log at the server’s logLineCount', async () => {
    const first = onlineTracker('res1');
    first.log({ 'training/loss': 1 }, { step: 0 });
    await first.flush();
    for (let i = 0; i < 5; i++) process.stdout.write(`first ${i}\n`);
    await first.close();
    const second = onlineTracker('res1', { resumePolicy: 'must' });
    second.log({ 'training/loss': 0.5 }, { step: 1 });
    await second.flush();
    for (let i = 0; i < 3; i++) process.stdout.write(`second ${i}\n`);
    await second.close();
    expect(server.lines('res1', 'output.log').map(unstamped)).toEqual([
      'first 0',
      'first 1',
      'first 2',
      'first 3',
      'first 4',
      'second 0',
      'second 1',
      'second 2',
    ]);
    expect([...server.runs.get('res1')!.files.get('output.log')!.keys()].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('is off by default (the program’s streams are left alone); WANDB_CONSOLE=auto turns it on', async () => {
    const off = createWandbExporter({
      mode: 'online',
      apiKey: API_KEY,
      baseUrl: server.url,
      runId: 'off1',
      logger: createLogger({ level: 'silent' }),
      env: {},
      fileStream: { intervalMs: 20 },
    });
    expect(await off.start({ experiment: 'p', runName: 'r', tags: {}, startTime: Date.now() })).toEqual({ ok: true });
    expect(process.stdout.write).toBe(terminal.writers.stdout);
    process.stdout.write('not captured\n');
    expect((off.native() as OnlineNative).console).toBeUndefined();
    await off.shutdown({ status: 'finished' });
    expect(server.lines('off1', 'output.log')).toEqual([]);

    const auto = createWandbExporter({
      mode: 'online',
      apiKey: API_KEY,
      baseUrl: server.url,
      runId: 'auto1',
      logger: createLogger({ level: 'silent' }),
      env: { WANDB_CONSOLE: 'auto' },
      fileStream: { intervalMs: 20 },
    });
    expect(await auto.start({ experiment: 'p', runName: 'r', tags: {}, startTime: Date.now() })).toEqual({ ok: true });
    expect(process.stdout.write).not.toBe(terminal.writers.stdout);
    process.stdout.write('captured\n');
    await auto.shutdown({ status: 'finished' });
    expect(process.stdout.write).toBe(terminal.writers.stdout);
    expect(server.lines('auto1', 'output.log').map(unstamped)).toEqual(['captured']);
    expect((auto.native() as OnlineNative).console).toEqual({ lines: 1, droppedLines: 0, splitLines: 0 });
  });

  it('offline: off by default (no output_raw), on with console: wrap', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wandb-console-off-'));
    const silent = createLogger({ level: 'silent' });
    const info = { experiment: 'p', runName: 'r', tags: {}, startTime: Date.now() };
    const off = createWandbExporter({ mode: 'offline', dir, runId: 'offl1', logger: silent, env: {} });
    await off.start(info);
    expect(process.stdout.write).toBe(terminal.writers.stdout);
    process.stdout.write('not captured\n');
    await off.shutdown({ status: 'finished' });
    const on = createWandbExporter({ mode: 'offline', dir, runId: 'offl2', logger: silent, env: {}, console: 'wrap' });
    await on.start(info);
    process.stdout.write('captured\n');
    await on.shutdown({ status: 'finished' });
    const outputs = (e: typeof off) =>
      readWandbFile((e.native() as OfflineNative).wandbFile!)
        .records.filter((r) => r.type === 'output_raw')
        .map((r) => r.data.line);
    expect(outputs(off)).toEqual([]);
    expect(outputs(on)).toEqual(['captured\n']);
    expect(process.stdout.write).toBe(terminal.writers.stdout);
  });
});

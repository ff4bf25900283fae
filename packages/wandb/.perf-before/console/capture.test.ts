import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, type Logger } from '@metrics/core';
import { ConsoleCapture, type ConsoleLine } from './capture.js';
import { fakeTerminal, type FakeTerminal } from './fake-terminal.js';
import { uncapturedLogger } from './hub.js';
import { afterCarriageReturns, outputLogLine, outputLogTime } from './output-log.js';

let terminal: FakeTerminal;
let logged: string[];
let logger: Logger;
beforeEach(() => {
  terminal = fakeTerminal();
  logged = [];
  logger = createLogger({ level: 'debug', sink: (_l, line) => logged.push(line) });
});
afterEach(() => terminal.restore());

function capture(options: Partial<ConstructorParameters<typeof ConsoleCapture>[0]> = {}) {
  const lines: ConsoleLine[] = [];
  const c = new ConsoleCapture({ deliver: (l) => lines.push(...l), logger, ...options }).start();
  return { c, lines, texts: () => lines.map((l) => `${l.stream}:${l.text}`) };
}

describe('console capture (W&B console: wrap)', () => {
  it('splits writes into lines, keeps a partial line until its newline or stop(), and passes every write through', () => {
    const { c, texts, lines } = capture();
    process.stdout.write('a\nb');
    process.stdout.write('c\n\nd');
    process.stderr.write('err 1\r\nerr');
    expect(texts()).toEqual([]); // delivery is deferred, never inside the program's write
    c.drain();
    expect(texts()).toEqual(['stdout:a', 'stdout:bc', 'stdout:', 'stderr:err 1\r']);
    process.stdout.write('e\n');
    c.stop();
    expect(texts()).toEqual(['stdout:a', 'stdout:bc', 'stdout:', 'stderr:err 1\r', 'stdout:de', 'stderr:err']);
    expect(c.stats).toEqual({ lines: 6, droppedLines: 0, splitLines: 0 });
    for (const l of lines) expect(l.timeMs).toBeGreaterThan(0);
    expect(terminal.text('stdout')).toBe('a\nbc\n\nde\n');
    expect(terminal.text('stderr')).toBe('err 1\r\nerr');
    console.log(`wandb console: ${lines.length} lines from 4 writes (2 partial) — held`);
  });

  it('restores the streams on stop (idempotent) and returns what the original write returns, with its callback', async () => {
    let calls = 0;
    const original = function (this: unknown, _chunk: unknown, cb?: unknown) {
      calls++;
      if (typeof cb === 'function') (cb as () => void)();
      return false; // backpressure must reach the program
    } as NodeJS.WriteStream['write'];
    process.stdout.write = original;
    const { c, texts } = capture();
    expect(process.stdout.write).not.toBe(original);
    let called = 0;
    expect(process.stdout.write('x\n', () => called++)).toBe(false);
    expect(called).toBe(1);
    c.stop();
    c.stop();
    c.start(); // a stopped capture stays stopped
    expect(process.stdout.write).toBe(original);
    expect(process.stderr.write).toBe(terminal.writers.stderr);
    process.stdout.write('after\n');
    expect(texts()).toEqual(['stdout:x']);
    expect(calls).toBe(2);
  });

  it('decodes Buffers (a UTF-8 character split across writes), Uint8Arrays and other string encodings', () => {
    const { c, texts } = capture();
    const bytes = Buffer.from('✓ ok\n');
    process.stdout.write(bytes.subarray(0, 1));
    process.stdout.write(new Uint8Array(bytes.subarray(1)));
    process.stdout.write(Buffer.from('hex\n').toString('hex'), 'hex');
    process.stdout.write(Buffer.from('b64\n').toString('base64'), 'base64');
    process.stdout.write('caf\xe9\n', 'latin1'); // byte E9 reaches the terminal: not UTF-8, shown as U+FFFD
    c.stop();
    expect(texts()).toEqual(['stdout:✓ ok', 'stdout:hex', 'stdout:b64', 'stdout:caf\ufffd']);
    expect(terminal.text('stdout')).toBe('✓ ok\nhex\nb64\ncaf\ufffd\n');
  });

  it('several runs: each gets every line; the streams are restored when the last one stops', () => {
    const a = capture();
    const b = capture();
    process.stdout.write('both\n');
    a.c.stop();
    process.stdout.write('only b\n');
    expect(process.stdout.write).not.toBe(terminal.writers.stdout);
    b.c.stop();
    expect(process.stdout.write).toBe(terminal.writers.stdout);
    expect(a.texts()).toEqual(['stdout:both']);
    expect(b.texts()).toEqual(['stdout:both', 'stdout:only b']);
    expect(terminal.text('stdout')).toBe('both\nonly b\n');
  });

  it('leaves a wrapper installed over ours in place, and never captures a line twice when capture restarts', () => {
    const first = capture();
    const ours = process.stdout.write;
    const seenByOther: string[] = [];
    const other = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
      seenByOther.push(String(chunk));
      return (ours as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
    } as NodeJS.WriteStream['write'];
    process.stdout.write = other;
    first.c.stop();
    expect(process.stdout.write).toBe(other); // not torn out from under the other wrapper
    process.stdout.write('uncaptured\n');
    const second = capture();
    process.stdout.write('once\n');
    second.c.stop();
    expect(process.stdout.write).toBe(other);
    expect(first.texts()).toEqual([]);
    expect(second.texts()).toEqual(['stdout:once']);
    expect(seenByOther).toEqual(['uncaptured\n', 'once\n']);
    expect(terminal.text('stdout')).toBe('uncaptured\nonce\n');
  });

  it('never breaks the program: a failing delivery is reported once, writes still go through', () => {
    let attempts = 0;
    const { c } = capture({
      deliver: () => {
        attempts++;
        throw new Error('disk full');
      },
    });
    for (let i = 0; i < 3; i++) {
      expect(process.stdout.write(`line ${i}\n`)).toBe(true);
      c.drain();
    }
    c.stop();
    expect(attempts).toBe(3);
    expect(logged.filter((l) => l.includes('disk full'))).toHaveLength(1);
    expect(terminal.text('stdout')).toBe('line 0\nline 1\nline 2\n');
  });

  it('is not recursive: our logger lines and writes made while delivering are not captured', () => {
    const stderrLogger = uncapturedLogger(createLogger({ level: 'info', prefix: '[metrics:wandb]', sink: (_l, line) => process.stderr.write(line + '\n') }));
    const got: string[] = [];
    const { c } = capture({
      logger: stderrLogger,
      deliver: (l) => {
        got.push(...l.map((x) => x.text));
        process.stdout.write(`delivered ${l.length}\n`); // e.g. a sink that prints: must not loop
        stderrLogger.info('delivered');
      },
    });
    process.stdout.write('user line\n');
    stderrLogger.warn('a warning of ours');
    c.drain();
    process.stdout.write('user line 2\n');
    c.stop();
    expect(terminal.text('stderr')).toContain('[metrics:wandb] ⚠️ a warning of ours');
    expect(terminal.text('stdout')).toBe('user line\ndelivered 1\nuser line 2\ndelivered 1\n');
    expect(got).toEqual(['user line', 'user line 2']);
  });

  it('bounds the buffer: lines beyond it are dropped and counted, the count reported', () => {
    const { c, lines } = capture({ maxBufferedChars: 1_000 });
    const written = 500;
    for (let i = 0; i < written; i++) process.stdout.write(`line ${String(i).padStart(4, '0')}\n`); // 9 chars each, no yield
    c.stop();
    expect(lines.length).toBe(Math.floor(1_000 / 9));
    expect(c.stats.droppedLines).toBe(written - lines.length);
    expect(c.stats.lines + c.stats.droppedLines).toBe(written);
    expect(lines.map((l) => l.text)).toEqual(Array.from({ length: lines.length }, (_, i) => `line ${String(i).padStart(4, '0')}`));
    expect(logged.filter((l) => l.includes('lines are dropped'))).toHaveLength(1);
    expect(logged.filter((l) => l.includes(`${c.stats.droppedLines} console line(s) were not recorded`))).toHaveLength(1);
    expect(terminal.written.stdout).toHaveLength(written); // the terminal got them all
    console.log(`wandb console: ${written} lines into a 1000-char buffer — ${lines.length} kept, ${c.stats.droppedLines} dropped and counted — held`);
  });

  it('cuts lines longer than maxLineChars (partial or whole), never inside a surrogate pair', () => {
    const { c, lines } = capture({ maxLineChars: 4 });
    process.stdout.write('abcdefghij\n');
    process.stdout.write('xy');
    process.stdout.write('zw12'); // a partial reaching the limit is cut at once
    process.stdout.write('\nabc😀de\n');
    c.stop();
    expect(lines.map((l) => l.text)).toEqual(['abcd', 'efgh', 'ij', 'xyzw', '12', 'abc', '😀de']);
    expect(c.stats.splitLines).toBe(4);
  });
});

describe('output.log lines (online)', () => {
  it('formats "[ERROR ]<UTC time to µs> <text>" and shows \\r-rewritten lines as a terminal would', () => {
    const t = Date.UTC(2026, 0, 2, 3, 4, 5, 67);
    expect(outputLogTime(t)).toBe('2026-01-02T03:04:05.067000');
    expect(outputLogLine({ stream: 'stdout', timeMs: t, text: 'hello' })).toBe('2026-01-02T03:04:05.067000 hello');
    expect(outputLogLine({ stream: 'stderr', timeMs: t, text: 'bad\r' })).toBe('ERROR 2026-01-02T03:04:05.067000 bad');
    expect(afterCarriageReturns(' 10%\r 50%\r100% done')).toBe('100% done');
    expect(afterCarriageReturns('abcdef\rXY')).toBe('XYcdef');
  });
});

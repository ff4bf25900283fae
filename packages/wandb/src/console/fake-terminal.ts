/**
 * Test helper: replaces process.stdout/stderr `write` with recorders (what "reached the terminal"), so
 * tests can check that capture passes every write through unchanged without printing into the test
 * output. Not exported from the package.
 */
export interface FakeTerminal {
  /** Bytes that reached each stream, one entry per write. */
  written: { stdout: Buffer[]; stderr: Buffer[] };
  /** Everything that reached a stream, decoded as UTF-8. */
  text(stream: 'stdout' | 'stderr'): string;
  /** The recorder functions (to check that stop() puts them back). */
  writers: { stdout: NodeJS.WriteStream['write']; stderr: NodeJS.WriteStream['write'] };
  restore(): void;
}

export function fakeTerminal(): FakeTerminal {
  const written = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  const saved = { stdout: Object.getOwnPropertyDescriptor(process.stdout, 'write'), stderr: Object.getOwnPropertyDescriptor(process.stderr, 'write') };
  const recorder = (stream: 'stdout' | 'stderr') =>
    function write(chunk: unknown, encoding?: unknown, cb?: unknown): boolean {
      const callback = typeof encoding === 'function' ? encoding : cb;
      written[stream].push(
        typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8') : Buffer.from(chunk as Uint8Array),
      );
      if (typeof callback === 'function') queueMicrotask(() => (callback as () => void)());
      return true;
    } as NodeJS.WriteStream['write'];
  const writers = { stdout: recorder('stdout'), stderr: recorder('stderr') };
  process.stdout.write = writers.stdout;
  process.stderr.write = writers.stderr;
  return {
    written,
    writers,
    text: (stream) => Buffer.concat(written[stream]).toString('utf8'),
    restore() {
      for (const s of ['stdout', 'stderr'] as const) {
        if (saved[s]) Object.defineProperty(process[s], 'write', saved[s]);
        else delete (process[s] as { write?: unknown }).write;
      }
    },
  };
}

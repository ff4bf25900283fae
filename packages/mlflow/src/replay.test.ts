import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@metrics/core';
import { replaySpool } from './replay.js';

describe('replay of damaged spool files', () => {
  it('random or truncated bytes are reported as errors, never a crash or a hang', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlflow-replay-fuzz-'));
    const header =
      '{"$spool":1,"run":{"experiment":"e","runName":"r","tags":{},"startTime":1},"runIds":{}}\n{"kind":"scalar","name":"a","step":0,"value":1,"wallTime":1}\n';
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.integer({ min: 1, max: header.length - 2 }).map((n) => new TextEncoder().encode(header.slice(0, n))),
        ),
        async (bytes) => {
          const file = join(dir, 'x__r__mlflow.jsonl');
          writeFileSync(file, bytes);
          const results = await replaySpool(file, { trackingUri: 'http://127.0.0.1:9', logger: createLogger({ level: 'silent' }) });
          expect(results).toHaveLength(1);
          expect(results[0]!.error).toBeTruthy(); // nothing reachable or nothing readable: an error, not a throw
        },
      ),
      { numRuns: 40 },
    );
  }, 60_000);
});

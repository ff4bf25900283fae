import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidConfigError } from '@metrics/core';
import { createTensorBoardExporter, createTensorBoardTracker, tensorboard, type TensorBoardTrackerOptions } from './index.js';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function creationError(options: unknown): InvalidConfigError {
  try {
    const t = createTensorBoardTracker(options as TensorBoardTrackerOptions);
    void t.close();
  } catch (error) {
    if (InvalidConfigError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected an InvalidConfigError');
}

describe('createTensorBoardTracker options', () => {
  it('a misspelt option fails at creation with the option it resembles, and writes nothing', () => {
    const cwd = readdirSync(process.cwd()).sort();
    const error = creationError({ logdir: 'x', handleExit: false });
    expect(error.issues).toEqual([{ path: 'logdir', message: 'unknown option; did you mean `logDir`?' }]);
    expect(readdirSync(process.cwd()).sort()).toEqual(cwd);
  });

  it('bad values fail naming the field: a misspelt enum value, a negative interval, a number as a path', () => {
    const error = creationError({ validation: 'strcit', flushIntervalMs: -5, logDir: 42, handleExit: false });
    expect(error.message).toMatch(/validation: .*did you mean `strict`\?/);
    expect(error.message).toMatch(/flushIntervalMs: flushIntervalMs .*must be positive/);
    expect(error.message).toMatch(/logDir: logDir must be a directory path/);
  });

  it('the exporter factory checks its options too: logDir: 42 fails at once instead of being retried as an I/O error', () => {
    expect(() => createTensorBoardExporter({ logDir: 42 } as never)).toThrow(
      /createTensorBoardExporter options:\n {2}- logDir: logDir must be a directory path/,
    );
    expect(() => createTensorBoardExporter({ logdir: 'x' } as never)).toThrow(/did you mean `logDir`\?/);
  });

  it('options that are not an object are rejected, naming what was passed', () => {
    expect(creationError('runs').message).toMatch(/must be an object \(got a string\)/);
  });

  it('valid options still write where asked', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tb-settings-'));
    roots.push(root);
    const t = createTensorBoardTracker({ logDir: root, experiment: 'e', runName: 'r', flushIntervalMs: 100, handleExit: false, logLevel: 'silent' });
    t.log({ 'training/loss': 1 }, { step: 0 });
    await t.close();
    expect(readdirSync(join(root, 'e', 'r')).some((f) => f.startsWith('events.out.tfevents'))).toBe(true);
  });
});

describe('the tensorboard descriptor', () => {
  it('reads TENSORBOARD_LOGDIR; the option wins', () => {
    expect(tensorboard.resolve({}, { TENSORBOARD_LOGDIR: '/tmp/tb' })).toEqual({ logDir: '/tmp/tb' });
    expect(tensorboard.resolve({ logDir: 'mine' }, { TENSORBOARD_LOGDIR: '/tmp/tb' })).toEqual({ logDir: 'mine' });
  });

  it('choosing it validates at once: tensorboard({ logdir }) throws', () => {
    expect(() => tensorboard({ logdir: 'x' } as never)).toThrow(/logdir: unknown option; did you mean `logDir`\?/);
    expect(tensorboard({ logDir: 'runs' }).options).toEqual({ logDir: 'runs' });
  });
});

import { mkdtempSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, InvalidConfigError } from '@metrics/core';
import { createWandbExporter, createWandbTracker, type WandbTrackerOptions } from './exporter.js';
import { wandb } from './backend.js';
import { readWandbFile } from './log/records.js';
import type { OfflineNative } from './offline/offline-exporter.js';
import { exitCodeOf, resolveSettings, tagsFrom } from './settings.js';

describe('settings from options and WANDB_* variables', () => {
  it('reads the environment', () => {
    const s = resolveSettings({
      env: {
        WANDB_API_KEY: 'k'.repeat(40),
        WANDB_BASE_URL: 'http://host:1/',
        WANDB_PROJECT: 'p',
        WANDB_ENTITY: 'e',
        WANDB_DIR: '/tmp/x',
        WANDB_RUN_ID: 'abc',
        WANDB_RESUME: 'must',
      },
    });
    expect(s).toMatchObject({ mode: 'online', baseUrl: 'http://host:1', project: 'p', entity: 'e', rootDir: '/tmp/x', runId: 'abc', resume: 'must' });
  });

  it('picks the mode: WANDB_MODE wins, else online only with a key', () => {
    expect(resolveSettings({ env: {} }).mode).toBe('offline');
    expect(resolveSettings({ env: { WANDB_API_KEY: 'k'.repeat(40) } }).mode).toBe('online');
    expect(resolveSettings({ env: { WANDB_API_KEY: 'k'.repeat(40), WANDB_MODE: 'offline' } }).mode).toBe('offline');
    expect(resolveSettings({ env: { WANDB_MODE: 'dryrun' } }).mode).toBe('offline');
    expect(resolveSettings({ env: { WANDB_MODE: 'disabled' } }).mode).toBe('disabled');
    expect(resolveSettings({ mode: 'offline', env: { WANDB_MODE: 'online' } }).mode).toBe('offline');
    expect(resolveSettings({ env: {} }).baseUrl).toBe('https://api.wandb.ai');
  });

  it('console capture: off unless asked; WANDB_CONSOLE auto/wrap/redirect mean wrap; the option wins', () => {
    expect(resolveSettings({ env: {} }).console).toBe('off');
    for (const v of ['auto', 'wrap', 'WRAP', 'redirect', 'wrap_raw', 'wrap_emu']) expect(resolveSettings({ env: { WANDB_CONSOLE: v } }).console).toBe('wrap');
    expect(resolveSettings({ env: { WANDB_CONSOLE: 'off' } }).console).toBe('off');
    expect(resolveSettings({ env: { WANDB_CONSOLE: 'bogus' } }).console).toBe('off');
    expect(resolveSettings({ console: 'off', env: { WANDB_CONSOLE: 'wrap' } }).console).toBe('off');
    expect(resolveSettings({ console: 'wrap', env: {} }).console).toBe('wrap');
  });

  it('options win over the environment', () => {
    expect(resolveSettings({ project: 'opt', env: { WANDB_PROJECT: 'env' } }).project).toBe('opt');
  });

  it('maps tags and outcomes', () => {
    expect(tagsFrom({ a: '', b: 'x' })).toEqual(['a', 'b:x']);
    expect(exitCodeOf({ status: 'finished' })).toBe(0);
    expect(exitCodeOf({ status: 'failed' })).toBe(1);
    expect(exitCodeOf({ status: 'failed', exitCode: 4 })).toBe(4);
    expect(exitCodeOf({ status: 'killed', signal: 'SIGTERM' })).toBe(143);
  });

  it('WANDB_MODE=disabled writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wandb-disabled-'));
    const e = createWandbExporter({ env: { WANDB_MODE: 'disabled', WANDB_DIR: dir }, logger: createLogger({ level: 'silent' }) });
    expect(await e.start({ experiment: 'p', runName: 'r', tags: {}, startTime: Date.now() })).toEqual({ ok: true });
    expect(await e.export([{ kind: 'scalar', name: 'training/loss', value: 1, step: 0, wallTime: Date.now() }])).toEqual({ ok: true });
    await e.shutdown({ status: 'finished' });
    expect(e.native()).toEqual({ mode: 'disabled' });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('WANDB_DIR and WANDB_RUN_ID place the offline run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wandb-env-'));
    const e = createWandbExporter({ env: { WANDB_DIR: dir, WANDB_RUN_ID: 'envrun1', WANDB_PROJECT: 'envproj' }, logger: createLogger({ level: 'silent' }) });
    await e.start({ experiment: 'p', runName: 'r', tags: {}, startTime: Date.now() });
    await e.shutdown({ status: 'finished' });
    expect(e.runIds()).toEqual({ runId: 'envrun1' });
    const runs = readdirSync(join(dir, 'wandb')).filter((n) => n.startsWith('offline-run-'));
    expect(runs).toHaveLength(1);
    expect(existsSync(join(dir, 'wandb', runs[0]!, 'run-envrun1.wandb'))).toBe(true);
  });
});

function creationError(options: unknown): InvalidConfigError {
  try {
    void createWandbTracker(options as WandbTrackerOptions).close();
  } catch (error) {
    if (InvalidConfigError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected an InvalidConfigError');
}

describe('createWandbTracker options', () => {
  it('misspelt options fail at creation with a suggestion; nested ones too', () => {
    const error = creationError({ projet: 'p', fileStream: { intervalMS: 5 }, handleExit: false, env: {} });
    expect([...error.issues].sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { path: 'fileStream.intervalMS', message: 'unknown option; did you mean `intervalMs`?' },
      { path: 'projet', message: 'unknown option; did you mean `project`?' },
    ]);
  });

  it('bad values fail naming the field (mode, types, ranges)', () => {
    const error = creationError({ mode: 'ofline', requestTimeoutMs: 0, dir: 42, handleExit: false, env: {} });
    expect(error.message).toMatch(/mode: mode must be "online", "offline" or "disabled"; did you mean `offline`\?/);
    expect(error.message).toMatch(/requestTimeoutMs: .*must be positive/);
    expect(error.message).toMatch(/dir: dir must be a string/);
  });

  it('the exporter factory checks its options too', () => {
    expect(() => createWandbExporter({ mode: 'offline', diir: '/tmp/x', env: {} } as never)).toThrow(/diir: unknown option; did you mean `dir`\?/);
  });

  it('a WANDB_MODE wandb does not know fails, naming the variable; the option wins over it', async () => {
    expect(creationError({ handleExit: false, env: { WANDB_MODE: 'cloud' } }).message).toMatch(
      /mode: from the environment variable WANDB_MODE: .*\(fix or unset it\)/,
    );
    const t = createWandbTracker({ mode: 'disabled', handleExit: false, logLevel: 'silent', env: { WANDB_MODE: 'cloud' } });
    await t.close();
  });
});

describe('the wandb descriptor: WANDB_* parsed in one place', () => {
  it('WANDB_MODE in any case and with the aliases (dryrun = offline, run = online); empty = unset, blank = invalid', () => {
    const cases: Record<string, string> = {
      offline: 'offline',
      OFFLINE: 'offline',
      ' Online ': 'online',
      dryrun: 'offline',
      DRYRUN: 'offline',
      run: 'online',
      Disabled: 'disabled',
    };
    expect(Object.fromEntries(Object.keys(cases).map((v) => [v, wandb.resolve({}, { WANDB_MODE: v }).mode]))).toEqual(cases);
    expect(wandb.resolve({}, { WANDB_MODE: '' }).mode).toBeUndefined();
    expect(() => wandb.resolve({}, { WANDB_MODE: ' ' })).toThrow(/mode: .*WANDB_MODE/);
  });

  it('names the run from WANDB_PROJECT / WANDB_NAME / WANDB_RUN_GROUP, and mode disabled turns it off', () => {
    expect(wandb.runFromEnv?.({ WANDB_PROJECT: 'p', WANDB_NAME: 'n', WANDB_RUN_GROUP: '' })).toEqual({ experiment: 'p', runName: 'n', group: undefined });
    expect(wandb.enabled?.(wandb.resolve({}, { WANDB_MODE: 'disabled' }))).toBe(false);
  });

  it('WANDB_TAGS become tags of the run wandb sees, beside the tracker tags', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wandb-tags-'));
    const e = createWandbExporter({ env: { WANDB_DIR: dir, WANDB_TAGS: 'baseline, v2' }, logger: createLogger({ level: 'silent' }) });
    await e.start({ experiment: 'p', runName: 'r', tags: { team: 'ml' }, startTime: Date.now() });
    await e.shutdown({ status: 'finished' });
    const run = readWandbFile((e.native() as OfflineNative).wandbFile!).records.find((r) => r.type === 'run');
    expect(run?.data.tags).toEqual(expect.arrayContaining(['baseline', 'v2', 'team:ml']));
  });
});

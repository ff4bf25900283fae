import { mkdtempSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@metrics/core';
import { createWandbExporter } from './exporter.js';
import { exitCodeOf, resolveSettings, tagsFrom } from './settings.js';

describe('settings from options and WANDB_* variables', () => {
  it('reads the environment', () => {
    const s = resolveSettings({
      env: { WANDB_API_KEY: 'k'.repeat(40), WANDB_BASE_URL: 'http://host:1/', WANDB_PROJECT: 'p', WANDB_ENTITY: 'e', WANDB_DIR: '/tmp/x', WANDB_RUN_ID: 'abc', WANDB_RESUME: 'must' },
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

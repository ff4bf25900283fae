import { describe, expect, it } from 'vitest';
import { parseCli, UsageError } from './cli.js';

describe('parseCli', () => {
  it('has defaults that run everything', () => {
    expect(parseCli([])).toEqual({
      help: false,
      epochs: 100,
      backends: ['tensorboard', 'mlflow', 'wandb'],
      model: 'mlp',
      out: './.metrics-demo',
      seed: 42,
      runName: undefined,
      quiet: false,
    });
  });

  it('reads every flag', () => {
    expect(
      parseCli(['--epochs', '3', '--backends', 'wandb, TensorBoard,wandb', '--model', 'tfjs', '--out', '/tmp/x', '--seed', '0', '--run-name', 'r', '--quiet']),
    ).toEqual({
      help: false,
      epochs: 3,
      backends: ['wandb', 'tensorboard'],
      model: 'tfjs',
      out: '/tmp/x',
      seed: 0,
      runName: 'r',
      quiet: true,
    });
    expect(parseCli(['-h']).help).toBe(true);
  });

  it('reads the flags after the -- that `pnpm demo -- …` passes through', () => {
    expect(parseCli(['--', '--epochs', '20'])).toMatchObject({ epochs: 20, help: false });
    expect(parseCli(['--', '--help']).help).toBe(true);
    expect(parseCli(['--', '--', '-h']).help).toBe(true);
    expect(parseCli(['--'])).toEqual(parseCli([]));
    expect(() => parseCli(['--', 'extra'])).toThrow(UsageError);
    expect(() => parseCli(['--epochs', '3', '--', '--quiet'])).toThrow(UsageError);
  });

  it('rejects bad values with a usage error naming the flag', () => {
    expect(() => parseCli(['--epochs', '0'])).toThrow(/--epochs must be a whole number ≥ 1/);
    expect(() => parseCli(['--epochs', '2.5'])).toThrow(UsageError);
    expect(() => parseCli(['--backends', 'neptune'])).toThrow(/unknown backend "neptune"/);
    expect(() => parseCli(['--model', 'torch'])).toThrow(/--model: unknown model "torch"/);
    expect(() => parseCli(['--backends', ','])).toThrow(/at least one/);
    expect(() => parseCli(['--nope'])).toThrow(UsageError);
  });
});

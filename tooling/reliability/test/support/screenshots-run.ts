import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '@metrics/core';
import { createMlflowTracker } from '@metrics/mlflow';
import { createTensorBoardTracker } from '@metrics/tensorboard';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

export const EXPERIMENT = 'metrics-demo'; // the demo's experiment
export const DEMO_RUN = 'screenshot-demo';
export const AUDIO_RUN = 'screenshot-audio';
export const AUDIO_TAG = 'evaluation/tone';
export const AUDIO_SECONDS = 0.5;
export const CLASSES = ['setosa', 'versicolor', 'virginica'];

/**
 * The demo as a user runs it (`pnpm demo`): TensorBoard files under `<out>/runs` and a run on the live
 * MLflow server. It logs the evaluation's table, one PR curve per class and the confusion matrix.
 */
export function runDemo(out: string, trackingUri: string): Promise<string> {
  const args = ['--conditions=@metrics/source', '--import', 'tsx', 'apps/demo-pipeline/src/main.ts'];
  args.push('--epochs', '3', '--seed', '7', '--backends', 'tensorboard,mlflow', '--out', out, '--run-name', DEMO_RUN, '--quiet');
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, {
      cwd: repoRoot,
      env: { ...process.env, MLFLOW_TRACKING_URI: trackingUri },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', fail);
    child.on('close', (code) => (code === 0 ? done(output) : fail(new Error(`the demo exited with ${code}:\n${output.slice(-4000)}`))));
  });
}

/**
 * The demo logs no audio: a second run in the same experiment (same TensorBoard logdir, same MLflow
 * experiment) logs a 440 Hz tone with `logAudio` through both backends.
 */
export async function logAudioRun(logDir: string, trackingUri: string): Promise<void> {
  const rate = 16_000;
  const samples = Array.from({ length: rate * AUDIO_SECONDS }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / rate));
  const logger = createLogger({ level: 'silent' });
  const trackers = [
    createTensorBoardTracker({ logDir, experiment: EXPERIMENT, runName: AUDIO_RUN, handleExit: false, logger }),
    createMlflowTracker({ trackingUri, experiment: EXPERIMENT, runName: AUDIO_RUN, handleExit: false, logger, env: {} }),
  ];
  for (const tracker of trackers) {
    tracker.logAudio(AUDIO_TAG, { sampleRate: rate, channels: 1, samples }, { step: 1, caption: '440 Hz' });
    const report = await tracker.close();
    if (!report.ok) throw new Error(`the audio run did not close cleanly: ${JSON.stringify(report)}`);
    const stats = tracker.stats();
    for (const e of stats.exporters) if (e.failed || e.dropped) throw new Error(`the audio run lost records: ${JSON.stringify(stats)}`);
  }
}

export const tensorboardLogDir = (out: string) => join(out, 'runs');

/** The real tools as readers of what a (killed) writer left on disk: TensorBoard's loader and wandb's Go reader. */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureVenv, runPython } from '@metrics/oracle';
import { tempDir } from './faults-children.js';

export interface TensorBoardFile {
  /** Events the loader yielded (the file_version event included). */
  events: number;
  /** tag → [step, value] in file order. */
  scalars: Record<string, [number, number][]>;
}

/** Reads event files with TensorBoard's own EventFileLoader (the loader behind `tensorboard --load_fast=false`). */
export async function loadEventFiles(paths: readonly string[]): Promise<Record<string, TensorBoardFile>> {
  return runPython<Record<string, TensorBoardFile>>(
    String.raw`
import sys, json
from tensorboard.backend.event_processing.event_file_loader import EventFileLoader
from tensorboard.util import tensor_util
out = {}
for path in sys.argv[1:]:
    events, scalars = 0, {}
    for ev in EventFileLoader(path).Load():
        events += 1
        for v in ev.summary.value:
            if v.HasField('simple_value'):
                val = v.simple_value
            elif v.HasField('tensor'):
                val = float(tensor_util.make_ndarray(v.tensor))
            else:
                continue
            scalars.setdefault(v.tag, []).append([ev.step, val])
    out[path] = {'events': events, 'scalars': scalars}
print(json.dumps(out))
`,
    { args: [...paths], timeoutMs: 180_000 },
  );
}

/** The one event file in a run directory. */
export function eventFileIn(dir: string): string {
  const files = readdirSync(dir).filter((f) => f.startsWith('events.out.tfevents.'));
  if (files.length !== 1) throw new Error(`expected one event file in ${dir}, found ${files.join(', ') || 'none'}`);
  return join(dir, files[0]!);
}

export interface InspectedRecord {
  num?: number;
  type: string;
  [k: string]: unknown;
}

/** `wandb leet inspect --json <path>`: wandb's own Go transaction-log reader, one JSON record per line. */
export async function leetInspect(path: string): Promise<{ code: number | null; records: InspectedRecord[]; stderr: string }> {
  const venv = await ensureVenv();
  const home = tempDir('rel-wandb-home-');
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(venv.bin('wandb'), ['leet', 'inspect', '--json', path], {
      cwd: home, // wandb writes its own logs under <cwd>/wandb/
      env: { ...venv.env, HOME: home, WANDB_CONFIG_DIR: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (c) => {
      clearTimeout(timer);
      resolve({ code: c, stdout: out, stderr: err });
    });
  });
  const records = stdout
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l.replace(/:(-?Infinity|NaN)([,}])/g, ':"$1"$2')) as InspectedRecord);
  return { code, records, stderr };
}

/** History rows (`item` objects) of inspected records, in file order. */
export function historyRows(records: readonly InspectedRecord[]): Record<string, number>[] {
  return records.filter((r) => r.type === 'history').map((r) => (r.history as { item: Record<string, number> }).item);
}

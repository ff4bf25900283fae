import { readdirSync, readFileSync } from 'node:fs';
import { waitForHttp } from './http-wait.js';
import { freePort } from './ports.js';
import { spawnSupervised, stopSupervised, type Supervised } from './processes.js';
import { ensureVenv } from './venv.js';

export interface TensorBoardOptions {
  /** true (default): the Rust data server (`tensorboard_data_server`) reads the logdir; false: the Python loader. */
  loadFast?: boolean;
  /** Seconds between logdir re-scans (default 1). */
  reloadIntervalS?: number;
  /**
   * `--samples_per_plugin`. Don't use 0 ("keep all"): the Python plugins then ask the data provider for
   * 0 points and answer `[]`. The default is large enough that nothing a test writes is downsampled.
   */
  samplesPerPlugin?: string;
  startTimeoutMs?: number;
  extraArgs?: string[];
  env?: NodeJS.ProcessEnv;
}

export interface TensorBoard {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  url: string;
  port: number;
  /** The Rust data server process (loadFast: true), found in TensorBoard's process group. */
  dataServer?: { pid: number; cmdline: string };
  /** GET `${url}${path}` and parse JSON; throws on a non-2xx answer. */
  getJson<T = unknown>(path: string): Promise<T>;
  /** POST JSON to `${url}${path}` (hparams endpoints) and parse the answer. */
  postJson<T = unknown>(path: string, body: unknown): Promise<T>;
  /** Polls `/data/runs` until every name is listed (loading is asynchronous). Returns the runs. */
  waitForRuns(names: string[], timeoutMs?: number): Promise<string[]>;
  /** Polls the scalars endpoint until run/tag has at least `minPoints` points; returns them. */
  waitForScalars(run: string, tag: string, minPoints: number, timeoutMs?: number): Promise<[number, number, number][]>;
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Processes in process group `pgid` whose command line contains `needle` (Linux /proc). */
function findInGroup(pgid: number, needle: string): { pid: number; cmdline: string } | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // fields after the ")" of comm: state ppid pgrp ...
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(rest[2]) !== pgid) continue;
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      if (cmdline.includes(needle)) return { pid: Number(pid), cmdline };
    } catch {
      /* process vanished */
    }
  }
  return undefined;
}

/** A real `tensorboard` on loopback, reading `logdir`. */
export async function startTensorBoard(logdir: string, opts: TensorBoardOptions = {}): Promise<TensorBoard> {
  const loadFast = opts.loadFast ?? true;
  const venv = await ensureVenv();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = [
    '--logdir',
    logdir,
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    `--load_fast=${loadFast ? 'true' : 'false'}`,
    '--reload_interval',
    String(opts.reloadIntervalS ?? 1),
    '--samples_per_plugin',
    opts.samplesPerPlugin ?? 'scalars=100000,histograms=10000,distributions=10000,images=1000,text=10000,audio=1000',
    ...(opts.extraArgs ?? []),
  ];
  const proc: Supervised = spawnSupervised(venv.python, venv.bin('tensorboard'), args, {
    env: { ...venv.env, ...opts.env },
  });
  let gone = false;
  void proc.exited.then(() => (gone = true));
  const timeoutMs = opts.startTimeoutMs ?? 120_000;
  let dataServer: { pid: number; cmdline: string } | undefined;
  try {
    await waitForHttp(`${url}/data/runs`, { timeoutMs, exited: () => gone, log: proc.log, what: 'tensorboard' });
    if (loadFast) {
      // With --load_fast=true TensorBoard must have spawned the data server binary; prove it.
      const deadline = Date.now() + 15_000;
      while (!dataServer && Date.now() < deadline) {
        dataServer = findInGroup(proc.child.pid!, 'tensorboard_data_server');
        if (!dataServer) await sleep(200);
      }
      if (!dataServer) {
        throw new Error(`tensorboard --load_fast=true is up but no tensorboard_data_server process runs in its group.\n${proc.log.text(40)}`);
      }
    }
  } catch (err) {
    await stopSupervised(proc, 2_000);
    throw err;
  }

  const getJson = async <T>(path: string): Promise<T> => {
    const res = await fetch(url + path, { signal: AbortSignal.timeout(30_000) });
    const text = await res.text();
    if (!res.ok) throw new Error(`tensorboard GET ${path}: HTTP ${res.status}: ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  };
  const postJson = async <T>(path: string, body: unknown): Promise<T> => {
    const res = await fetch(url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`tensorboard POST ${path}: HTTP ${res.status}: ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  };

  return {
    url,
    port,
    dataServer,
    getJson,
    postJson,
    async waitForRuns(names, waitMs = 60_000) {
      const deadline = Date.now() + waitMs;
      let runs: string[] = [];
      while (Date.now() < deadline) {
        runs = await getJson<string[]>('/data/runs');
        if (names.every((n) => runs.includes(n))) return runs;
        await sleep(300);
      }
      throw new Error(
        `tensorboard: runs ${JSON.stringify(names)} not all listed after ${waitMs} ms; /data/runs = ${JSON.stringify(runs)}\n${proc.log.text(30)}`,
      );
    },
    async waitForScalars(run, tag, minPoints, waitMs = 60_000) {
      const deadline = Date.now() + waitMs;
      const path = `/data/plugin/scalars/scalars?run=${encodeURIComponent(run)}&tag=${encodeURIComponent(tag)}`;
      let last = 'no answer';
      while (Date.now() < deadline) {
        const res = await fetch(url + path, { signal: AbortSignal.timeout(30_000) });
        const text = await res.text();
        if (res.ok) {
          const pts = JSON.parse(text) as [number, number, number][];
          if (pts.length >= minPoints) return pts;
          last = `${pts.length} points`;
        } else {
          last = `HTTP ${res.status}`;
        }
        await sleep(300);
      }
      throw new Error(`tensorboard: ${run}/${tag} has < ${minPoints} scalar points after ${waitMs} ms (last: ${last})`);
    },
    logTail: (lines = 60) => proc.log.text(lines),
    stop: () => stopSupervised(proc),
  };
}

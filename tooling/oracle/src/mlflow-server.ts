import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitForHttp } from './http-wait.js';
import { freePort } from './ports.js';
import { startPostgres, type PostgresCluster } from './postgres.js';
import { killSupervised, spawnSupervised, stopSupervised, type Supervised } from './processes.js';
import { ensureVenv } from './venv.js';

export interface MlflowServerOptions {
  /** Where proxied artifacts land (default `<tmp>/artifacts`). */
  artifactsDestination?: string;
  /** Use this port instead of a free one. */
  port?: number;
  /** How long to wait for `/health` (default 120 s). */
  startTimeoutMs?: number;
  /** Extra CLI flags for `mlflow server`. */
  extraArgs?: string[];
  env?: NodeJS.ProcessEnv;
  /**
   * Run MLflow's background job runner (a huey pool of ~8 processes, used for GenAI jobs). Off by
   * default: the tracking/artifact REST API doesn't need it and the 2-core machine does.
   */
  jobs?: boolean;
  /** Backend store: a sqlite file (default) or a private PostgreSQL cluster started for this server. */
  store?: MlflowStore;
  /** Server worker processes (`--workers`, default 1). */
  workers?: number;
}

export type MlflowStore = 'sqlite' | 'postgresql';

export interface MlflowServer {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  url: string;
  port: number;
  store: MlflowStore;
  workers: number;
  /** `sqlite:///…` or `postgresql://…`: where the server keeps runs and metrics. */
  backendStoreUri: string;
  /** The sqlite backend store file (the sqlite store only; '' with PostgreSQL). */
  dbPath: string;
  /** The PostgreSQL cluster behind the server (the postgresql store only); stopped by stop(). */
  postgres?: PostgresCluster;
  artifactsDestination: string;
  /** Temp dir holding the db and artifacts; removed by stop(). */
  dir: string;
  /** Last lines of the server's output. */
  logTail(lines?: number): string;
  /** Graceful stop (SIGTERM, then SIGKILL) and temp dir removal. */
  stop(): Promise<void>;
  /** SIGKILL the whole server process group at once (fault tests). Keeps the data for restart(). */
  kill(): Promise<void>;
  /** Stop if running, then start again on the same port with the same db and artifacts. */
  restart(): Promise<void>;
}

/**
 * A real `mlflow server` (the full package: Flask/FastAPI app under uvicorn, `workers` workers) with a sqlite
 * or PostgreSQL backend store and the artifact proxy on, listening on loopback.
 */
export async function startMlflowServer(opts: MlflowServerOptions = {}): Promise<MlflowServer> {
  const venv = await ensureVenv();
  const dir = mkdtempSync(join(tmpdir(), 'metrics-oracle-mlflow-'));
  const store = opts.store ?? 'sqlite';
  const workers = opts.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`startMlflowServer: workers must be a positive integer, got ${workers}`);
  let postgres: PostgresCluster | undefined;
  if (store === 'postgresql') {
    try {
      postgres = await startPostgres();
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }
  const dbPath = store === 'sqlite' ? join(dir, 'mlflow.db') : '';
  const backendStoreUri = postgres ? postgres.uri : `sqlite:///${dbPath}`;
  const artifactsDestination = opts.artifactsDestination ?? join(dir, 'artifacts');
  mkdirSync(artifactsDestination, { recursive: true });
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const args = [
    'server',
    '--backend-store-uri',
    backendStoreUri,
    '--artifacts-destination',
    artifactsDestination,
    '--serve-artifacts',
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--workers',
    String(workers),
    ...(opts.extraArgs ?? []),
  ];
  const env = { ...venv.env, MLFLOW_SERVER_ENABLE_JOB_EXECUTION: opts.jobs ? 'true' : 'false', ...opts.env };
  let proc: Supervised | undefined;
  let removed = false;

  const launch = async () => {
    const p = spawnSupervised(venv.python, venv.bin('mlflow'), args, { env, cwd: dir });
    proc = p;
    let gone = false;
    void p.exited.then(() => (gone = true));
    await waitForHttp(`${url}/health`, {
      timeoutMs: opts.startTimeoutMs ?? 120_000,
      exited: () => gone,
      log: p.log,
      what: 'mlflow server',
    });
  };

  const halt = async (hard: boolean) => {
    const p = proc;
    if (!p) return;
    if (hard) {
      await killSupervised(p);
    } else {
      await stopSupervised(p);
    }
  };

  try {
    await launch();
  } catch (err) {
    await halt(true);
    await postgres?.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  return {
    url,
    port,
    store,
    workers,
    backendStoreUri,
    dbPath,
    postgres,
    artifactsDestination,
    dir,
    logTail: (lines = 60) => proc?.log.text(lines) ?? '',
    async stop() {
      await halt(false);
      if (!removed) {
        removed = true;
        await postgres?.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    },
    kill: () => halt(true),
    async restart() {
      await halt(false);
      await launch();
    },
  };
}

import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { killSupervised, spawnSupervised, type Supervised } from './processes.js';
import { basePython } from './venv.js';

export interface PostgresOptions {
  /** Database created for the caller (default `mlflow`). */
  database?: string;
  /** How long to wait for the server to accept connections (default 60 s). */
  startTimeoutMs?: number;
}

export interface PostgresCluster {
  /** `postgresql://postgres@127.0.0.1:<port>/<database>` (trust auth on loopback, no password). */
  uri: string;
  port: number;
  database: string;
  /** Temp dir holding the data directory and the socket; removed by stop(). */
  dir: string;
  logTail(lines?: number): string;
  /** Runs one SQL statement with psql; rows as arrays of text fields (unaligned, tab-separated). */
  query(sql: string): string[][];
  /** Fast shutdown, then the temp dir is removed. */
  stop(): Promise<void>;
}

const INSTALL_HINT =
  'PostgreSQL server binaries (initdb, postgres, pg_ctl, pg_isready, createdb, psql) were not found: install PostgreSQL 15 or newer ' +
  '(Debian/Ubuntu: `apt-get install postgresql`; macOS: `brew install postgresql@15`), or point METRICS_PG_BIN at the directory holding them.';

const TOOLS = ['initdb', 'postgres', 'pg_ctl', 'pg_isready', 'createdb', 'psql'];

/** The first of `candidates` holding every server binary the harness runs; an error naming what to install if none does. */
export function postgresBinDir(candidates: readonly string[] = binDirCandidates()): string {
  const found = candidates.find((dir) => TOOLS.every((b) => existsSync(join(dir, b))));
  if (!found) throw new Error(`@metrics/oracle: ${INSTALL_HINT} (looked in: ${candidates.join(', ') || 'nowhere'})`);
  return found;
}

/** METRICS_PG_BIN, Debian's /usr/lib/postgresql/<newest>/bin, then `pg_config --bindir`. */
function binDirCandidates(): string[] {
  const candidates: string[] = [];
  if (process.env.METRICS_PG_BIN) candidates.push(process.env.METRICS_PG_BIN);
  try {
    const versions = readdirSync('/usr/lib/postgresql')
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => `/usr/lib/postgresql/${v}/bin`));
  } catch {
    // not a Debian layout
  }
  const pgConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (pgConfig.status === 0) candidates.push(pgConfig.stdout.trim());
  return candidates;
}

/**
 * initdb and postgres refuse to run as root: then they run as an unprivileged account (`postgres`, which
 * the Debian packages create, else `nobody`) through runuser, and the cluster's directory is given to it.
 */
function serverAccount(): { wrap: (cmd: string, args: string[]) => [string, string[]]; uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return { wrap: (cmd, args) => [cmd, args] };
  for (const name of ['postgres', 'nobody']) {
    const ids = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    const gids = spawnSync('id', ['-g', name], { encoding: 'utf8' });
    if (ids.status === 0 && gids.status === 0)
      return {
        wrap: (cmd, args) => ['runuser', ['-u', name, '--', cmd, ...args]],
        uid: Number(ids.stdout.trim()),
        gid: Number(gids.stdout.trim()),
      };
  }
  throw new Error('@metrics/oracle: PostgreSQL cannot run as root and neither a `postgres` nor a `nobody` account exists; create one (useradd postgres).');
}

function runOrThrow(cmd: string, args: string[], what: string): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000 });
  if (r.error || r.status !== 0) throw new Error(`@metrics/oracle: ${what} failed (${r.error?.message ?? `exit ${r.status}`}):\n${r.stdout}\n${r.stderr}`);
}

/**
 * A private PostgreSQL cluster for one test: its own data directory under a temp dir, its own free port on
 * 127.0.0.1, trust authentication on loopback only, one database. Durability settings stay at their
 * defaults so throughput figures measured against it are a real server's.
 */
export async function startPostgres(opts: PostgresOptions = {}): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  const account = serverAccount();
  const database = opts.database ?? 'mlflow';
  const dir = mkdtempSync(join(tmpdir(), 'metrics-oracle-pg-'));
  const data = join(dir, 'data');
  const socketDir = join(dir, 'sock');
  mkdirSync(socketDir);
  if (account.uid !== undefined) {
    chmodSync(dir, 0o755);
    chownSync(dir, account.uid, account.gid!);
    chownSync(socketDir, account.uid, account.gid!);
  }
  let proc: Supervised | undefined;
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  try {
    runOrThrow(...account.wrap(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']), 'initdb');
    const port = await freePort();
    const [cmd, args] = account.wrap(join(bin, 'postgres'), [
      '-D',
      data,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `unix_socket_directories=${socketDir}`,
      // Several server workers, each with a SQLAlchemy pool, plus the tests' own readers.
      '-c',
      'max_connections=300',
    ]);
    const p = spawnSupervised(basePython().exe, cmd, args, { env: { ...process.env } });
    proc = p;
    let gone = false;
    void p.exited.then(() => (gone = true));
    const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
    for (;;) {
      const ready = spawnSync(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres'], { encoding: 'utf8' });
      if (ready.status === 0) break;
      if (gone || Date.now() > deadline)
        throw new Error(`@metrics/oracle: PostgreSQL did not accept connections on 127.0.0.1:${port}.\n--- server log tail ---\n${p.log.text(40)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    runOrThrow(join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', database], 'createdb');
    let stopped = false;
    return {
      uri: `postgresql://postgres@127.0.0.1:${port}/${database}`,
      port,
      database,
      dir,
      logTail: (lines = 60) => p.log.text(lines),
      query(sql) {
        const r = spawnSync(
          join(bin, 'psql'),
          ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', database, '-At', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-c', sql],
          {
            encoding: 'utf8',
            maxBuffer: 256 * 1024 * 1024,
          },
        );
        if (r.error || r.status !== 0) throw new Error(`psql: ${r.error?.message ?? r.stderr.trim()}`);
        return r.stdout
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => l.split('\t'));
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        // A fast shutdown releases the shared memory a SIGKILLed postmaster would leave behind.
        spawnSync(...account.wrap(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', '-t', '20', 'stop']), { encoding: 'utf8', timeout: 30_000 });
        await killSupervised(p);
        cleanup();
      },
    };
  } catch (err) {
    if (proc) await killSupervised(proc);
    cleanup();
    throw err;
  }
}

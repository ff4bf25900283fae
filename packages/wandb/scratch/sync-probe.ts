// scratch: not committed
import { spawnSync } from 'node:child_process';
import { startFakeWandbServer } from '../src/testing/fake-wandb-server.js';
const [runDir, home] = process.argv.slice(2);
const server = await startFakeWandbServer();
const V = `${process.env.HOME}/.cache/metrics-oracle/venv-bd33a016137e-py3.11`;
const res = await new Promise<any>(async (resolve) => {
  const { spawn } = await import('node:child_process');
  const c = spawn(`${V}/bin/wandb`, ['sync', '--yes', runDir], { cwd: home, env: { ...process.env, PATH: `${V}/bin:${process.env.PATH}`, HOME: home, WANDB_BASE_URL: server.url, WANDB_API_KEY: 'k'.repeat(40), WANDB_ERROR_REPORTING: 'false' } });
  let out = ''; c.stdout.on('data', (d: Buffer) => (out += d)); c.stderr.on('data', (d: Buffer) => (out += d));
  setTimeout(() => c.kill('SIGKILL'), 60000);
  c.on('close', (code: number) => resolve({ code, out }));
});
console.log('CODE', res.code, res.out.slice(-3000));
for (const r of server.requests) {
  const j = r.json as any;
  console.log('==', r.method, r.path, r.kind, r.status, r.kind === 'file_stream' ? '' : JSON.stringify(j?.variables ?? (r.kind === 'other' || r.kind==='upload' ? r.bytes.toString('utf8').slice(0, 400) : '')).slice(0, 1500));
  if (j?.query && /rtifact/.test(j.query)) console.log('   Q:', j.query.replace(/\s+/g, ' ').slice(0, 2500));
}

for (const a of server.artifacts.artifacts.values()) console.log('ART', JSON.stringify({ ...a, files: [...a.files.values()].map((f) => ({ ...f, bytes: f.bytes?.toString() })) }));
await server.close();

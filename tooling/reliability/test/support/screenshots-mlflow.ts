/** The few MLflow REST calls the screenshot test needs to know what the run page should show. */

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(60_000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`mlflow ${init?.method ?? 'GET'} ${url}: HTTP ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

export async function experimentIdByName(server: string, name: string): Promise<string> {
  const body = await json<{ experiment: { experiment_id: string } }>(
    `${server}/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`,
  );
  return body.experiment.experiment_id;
}

/** run name → run id in one experiment. */
export async function runIdsByName(server: string, experimentId: string): Promise<Record<string, string>> {
  const body = await json<{ runs: { info: { run_id: string; run_name: string } }[] }>(`${server}/api/2.0/mlflow/runs/search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ experiment_ids: [experimentId], max_results: 100 }),
  });
  return Object.fromEntries(body.runs.map((r) => [r.info.run_name, r.info.run_id]));
}

/** Paths of the files directly under `path` in a run's artifacts. */
export async function listArtifacts(server: string, runId: string, path: string): Promise<string[]> {
  const body = await json<{ files?: { path: string; is_dir: boolean }[] }>(
    `${server}/api/2.0/mlflow/artifacts/list?run_id=${runId}&path=${encodeURIComponent(path)}`,
  );
  return (body.files ?? []).filter((f) => !f.is_dir).map((f) => f.path);
}

export async function getArtifact(server: string, runId: string, path: string): Promise<Buffer> {
  const res = await fetch(`${server}/get-artifact?run_uuid=${runId}&path=${encodeURIComponent(path)}`, { signal: AbortSignal.timeout(60_000) });
  if (!res.ok) throw new Error(`mlflow get-artifact ${path}: HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

/** Width and height from a PNG's IHDR chunk. */
export function pngSize(png: Buffer): { width: number; height: number } {
  if (png.subarray(1, 4).toString() !== 'PNG') throw new Error('not a PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

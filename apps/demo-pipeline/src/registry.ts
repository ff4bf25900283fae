/**
 * Registers the trained model as a new version in the MLflow Model Registry of a live server.
 * Uses the MLflow backend's own registry API when its native handle has one; otherwise the two
 * documented REST calls (`registered-models/create`, `model-versions/create`) against the same server.
 */
export interface RegisteredVersion {
  name: string;
  version: string;
  source: string;
  /** The version the `champion` alias points at after this registration (the best by evaluation accuracy). */
  champion?: string;
}

/** The part of `@metrics/mlflow`'s `ModelRegistry` used to crown the champion. */
interface ChampionRegistry {
  setModelVersionTag(name: string, version: string, key: string, value: string): Promise<void>;
  searchModelVersions(options: { filter?: string }): Promise<{ version: string; tags: Record<string, string> }[]>;
  setAlias(name: string, alias: string, version: string): Promise<void>;
}

export const CHAMPION_ALIAS = 'champion';
export const ACCURACY_TAG = 'evaluation_accuracy';

/**
 * Tags the new version with its evaluation accuracy, then points the `champion` alias at the best version
 * of the model so far (ties go to the newer version). Returns the champion's version.
 */
export async function crownChampion(registry: ChampionRegistry, name: string, version: string, accuracy: number): Promise<string> {
  await registry.setModelVersionTag(name, version, ACCURACY_TAG, String(accuracy));
  const versions = await registry.searchModelVersions({ filter: `name = '${name.replace(/'/g, "\\'")}'` });
  let best = { version, accuracy };
  for (const v of versions) {
    const a = Number(v.tags[ACCURACY_TAG]);
    if (Number.isFinite(a) && (a > best.accuracy || (a === best.accuracy && Number(v.version) > Number(best.version))))
      best = { version: v.version, accuracy: a };
  }
  await registry.setAlias(name, CHAMPION_ALIAS, best.version);
  return best.version;
}

/** The part of `@metrics/mlflow`'s native handle (`MlflowNative`) used here. */
interface NativeRegistry {
  registerModel?: (name: string, artifactPath: string, options?: { description?: string }) => Promise<{ name: string; version: string; source: string }>;
}

export async function registerModelVersion(options: {
  trackingUri: string;
  runId: string;
  name: string;
  artifactPath: string;
  native?: unknown;
  description?: string;
  headers?: Record<string, string>;
}): Promise<RegisteredVersion> {
  const native = options.native as NativeRegistry | undefined;
  if (native && typeof native.registerModel === 'function') {
    const v = await native.registerModel(options.name, options.artifactPath, { description: options.description });
    return { name: v.name, version: String(v.version), source: v.source };
  }
  const base = options.trackingUri.replace(/\/+$/, '');
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
    const res = await fetch(`${base}/api/2.0/mlflow/${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...options.headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      json = { message: text.slice(0, 200) };
    }
    return { status: res.status, json };
  };
  const run = await call('GET', `runs/get?run_id=${encodeURIComponent(options.runId)}`);
  if (run.status !== 200) throw new Error(`MLflow runs/get failed (${run.status}): ${String(run.json.message ?? '')}`);
  const artifactUri = String((run.json.run as { info?: { artifact_uri?: string } })?.info?.artifact_uri ?? '');
  const source = artifactUri ? `${artifactUri.replace(/\/+$/, '')}/${options.artifactPath}` : `runs:/${options.runId}/${options.artifactPath}`;
  const created = await call('POST', 'registered-models/create', { name: options.name });
  if (created.status !== 200 && created.json.error_code !== 'RESOURCE_ALREADY_EXISTS')
    throw new Error(`MLflow registered-models/create failed (${created.status}): ${String(created.json.message ?? '')}`);
  const version = await call('POST', 'model-versions/create', { name: options.name, source, run_id: options.runId });
  if (version.status !== 200) throw new Error(`MLflow model-versions/create failed (${version.status}): ${String(version.json.message ?? '')}`);
  const mv = version.json.model_version as { name: string; version: string };
  return { name: mv.name, version: String(mv.version), source };
}

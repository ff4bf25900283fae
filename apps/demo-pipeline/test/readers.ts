import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureVenv, runPython } from '@metrics/oracle';

/** TensorBoard's own EventAccumulator over every run directory under `logdir`: scalars, histograms, images, tensors. */
const TB_READER = String.raw`
import sys, os, json, io
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator, STORE_EVERYTHING_SIZE_GUIDANCE
from tensorboard.util import tensor_util
from PIL import Image
out = {}
for root, dirs, files in os.walk(sys.argv[1]):
    if not any(f.startswith('events.out.tfevents') for f in files): continue
    acc = EventAccumulator(root, size_guidance=STORE_EVERYTHING_SIZE_GUIDANCE)
    acc.Reload()
    tags = acc.Tags()
    r = {'scalars': {}, 'histograms': {}, 'images': {}, 'tensors': {}}
    for t in tags['scalars']:
        r['scalars'][t] = [[e.step, e.value] for e in acc.Scalars(t)]
    for t in tags['histograms']:
        r['histograms'][t] = [{'step': e.step, 'num': e.histogram_value.num} for e in acc.Histograms(t)]
    for t in tags['images']:
        opened = [(e.step, Image.open(io.BytesIO(e.encoded_image_string))) for e in acc.Images(t)]
        r['images'][t] = [{'step': step, 'size': list(image.size), 'mode': image.mode} for step, image in opened]
    for t in tags['tensors']:
        vals = []
        for e in acc.Tensors(t):
            arr = tensor_util.make_ndarray(e.tensor_proto)
            vals.append(arr.item().decode() if arr.dtype.kind in 'OSU' and arr.ndim == 0 else {'shape': list(arr.shape)})
        r['tensors'][t] = {'plugin': acc.SummaryMetadata(t).plugin_data.plugin_name, 'values': vals}
    out[os.path.relpath(root, sys.argv[1])] = r
print(json.dumps(out))
`;

export interface TensorBoardRun {
  scalars: Record<string, [number, number][]>;
  histograms: Record<string, { step: number; num: number }[]>;
  images: Record<string, { step: number; size: [number, number]; mode: string }[]>;
  /** Rank-0 strings as text, other tensors (PR curves) by their shape. */
  tensors: Record<string, { plugin: string; values: (string | { shape: number[] })[] }>;
}

export function readTensorBoard(logdir: string): Promise<Record<string, TensorBoardRun>> {
  return runPython(TB_READER, { args: [logdir], timeoutMs: 180_000 });
}

/** The MLflow Python client against the live server: the run's params, metric histories, artifacts, model version. */
const MLFLOW_READER = String.raw`
import sys, json
from mlflow.tracking import MlflowClient
uri, run_id, model_name, version = sys.argv[1:5]
c = MlflowClient(tracking_uri=uri, registry_uri=uri)
run = c.get_run(run_id)
metrics = {k: [[m.step, m.value] for m in sorted(c.get_metric_history(run_id, k), key=lambda m: (m.step, m.timestamp))] for k in run.data.metrics}
mv = c.get_model_version(model_name, version)
import mlflow
mlflow.set_tracking_uri(uri)
mlflow.set_experiment(experiment_id=run.info.experiment_id)
logged = json.loads(run.data.tags.get('mlflow.loggedArtifacts', '[]'))
tables = {e['path']: json.loads(mlflow.load_table(e['path'], run_ids=[run_id]).to_json(orient='split', index=False)) for e in logged}
exp = c.get_experiment(run.info.experiment_id)
champion = c.get_model_version_by_alias(model_name, 'champion')
datasets = [{'name': d.dataset.name, 'digest': d.dataset.digest, 'source_type': d.dataset.source_type, 'source': json.loads(d.dataset.source),
             'schema': json.loads(d.dataset.schema), 'profile': json.loads(d.dataset.profile), 'tags': {t.key: t.value for t in d.tags}}
            for d in run.inputs.dataset_inputs]
def walk(p=None):
    out = []
    for f in c.list_artifacts(run_id, p):
        out += walk(f.path) if f.is_dir else [f.path]
    return out
print(json.dumps({
  'experiment': exp.name, 'run_name': run.info.run_name, 'status': run.info.status,
  'params': run.data.params, 'tags': {k: v for k, v in run.data.tags.items() if not k.startswith('mlflow.')},
  'metrics': metrics,
  'artifacts': walk(),
  'tables': tables,
  'model_version': {'name': mv.name, 'version': mv.version, 'run_id': mv.run_id, 'source': mv.source, 'status': mv.status,
                    'tags': mv.tags, 'aliases': list(mv.aliases)},
  'champion': {'version': champion.version, 'tags': champion.tags},
  'datasets': datasets,
}))
`;

export interface MlflowView {
  experiment: string;
  run_name: string;
  status: string;
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: Record<string, [number, number][]>;
  artifacts: string[];
  /** Every table of the run's mlflow.loggedArtifacts tag, read with mlflow.load_table. */
  tables: Record<string, { columns: string[]; data: unknown[][] }>;
  model_version: { name: string; version: string; run_id: string; source: string; status: string; tags: Record<string, string>; aliases: string[] };
  /** `get_model_version_by_alias(model, 'champion')`. */
  champion: { version: string; tags: Record<string, string> };
  /** `get_run(run_id).inputs.dataset_inputs`, the JSON fields parsed. */
  datasets: {
    name: string;
    digest: string;
    source_type: string;
    source: Record<string, string>;
    schema: unknown;
    profile: unknown;
    tags: Record<string, string>;
  }[];
}

export function readMlflow(uri: string, runId: string, model: string, version: string): Promise<MlflowView> {
  return runPython(MLFLOW_READER, { args: [uri, runId, model, version], timeoutMs: 180_000 });
}

export interface WandbRecord {
  type: string;
  [k: string]: unknown;
}

/** `wandb leet inspect --json`: the real wandb's (Go) transaction-log reader, one JSON record per line. */
export async function readWandb(runDir: string): Promise<{ records: WandbRecord[]; code: number | null; stderr: string }> {
  const venv = await ensureVenv();
  const home = mkdtempSync(join(tmpdir(), 'demo-wandb-home-'));
  return new Promise((resolve, reject) => {
    const child = spawn(venv.bin('wandb'), ['leet', 'inspect', '--json', runDir], {
      cwd: home,
      env: { ...venv.env, HOME: home, WANDB_CONFIG_DIR: home, WANDB_ERROR_REPORTING: 'false', WANDB_SILENT: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const records = stdout
        .split('\n')
        .filter((l) => l.trim().startsWith('{'))
        .map((l) => JSON.parse(l.replace(/:(-?Infinity|NaN)([,}])/g, ':"$1"$2')) as WandbRecord);
      resolve({ records, code, stderr });
    });
  });
}

export interface MlflowChildRun {
  id: string;
  name: string;
  status: string;
  experiment: string;
  metrics: Record<string, [number, number][]>;
}

/** The MLflow Python client's `search_runs` for the children of a run (`tags.mlflow.parentRunId`), with their metric histories. */
export function readMlflowChildren(uri: string, parentRunId: string): Promise<MlflowChildRun[]> {
  return runPython(
    String.raw`
import sys, json
from mlflow.tracking import MlflowClient
c = MlflowClient(tracking_uri=sys.argv[1])
parent = c.get_run(sys.argv[2])
out = []
for r in c.search_runs([parent.info.experiment_id], filter_string="tags.mlflow.parentRunId = '%s'" % sys.argv[2]):
    rid = r.info.run_id
    metrics = {k: [[m.step, m.value] for m in sorted(c.get_metric_history(rid, k), key=lambda m: m.step)] for k in r.data.metrics}
    out.append({'id': rid, 'name': r.info.run_name, 'status': r.info.status, 'experiment': r.info.experiment_id, 'metrics': metrics})
print(json.dumps(sorted(out, key=lambda r: r['name'])))`,
    { args: [uri, parentRunId], timeoutMs: 180_000 },
  );
}

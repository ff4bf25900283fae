import type { DatasetRecord } from '@metrics/core/backend';
import type { KeyValue } from './encode.js';

/** The input tag MLflow's UI and `mlflow.log_input` use for what the run used a dataset for. */
export const DATASET_CONTEXT_TAG = 'mlflow.data.context';

export interface DatasetInput {
  tags: KeyValue[];
  dataset: { name: string; digest: string; source_type: string; source: string; schema?: string; profile?: string };
}

/**
 * A dataset record as one entry of `runs/log-inputs`, shaped like `mlflow.log_input` writes it: the source
 * as JSON (`{"url": …}` for http, `{"uri": …}` otherwise), the schema as an `mlflow_colspec`, the profile as JSON.
 */
export function datasetInput(r: DatasetRecord): DatasetInput {
  const source = r.sourceType === 'http' ? { url: r.source } : { uri: r.source };
  return {
    tags: [
      ...(r.context !== undefined ? [{ key: DATASET_CONTEXT_TAG, value: r.context }] : []),
      ...Object.entries(r.tags).map(([key, value]) => ({ key, value })),
    ],
    dataset: {
      name: r.name,
      digest: r.digest,
      source_type: r.sourceType,
      source: JSON.stringify(source),
      ...(r.schema ? { schema: JSON.stringify({ mlflow_colspec: r.schema.map((c) => ({ type: c.type, name: c.name, required: true })) }) } : {}),
      ...(r.profile ? { profile: JSON.stringify(r.profile) } : {}),
    },
  };
}

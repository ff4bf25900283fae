import type { ArtifactRecord } from '@metrics/core/backend';
import { suggestArtifactName } from '@metrics/core/backend';

/**
 * A training data set as W&B sees it: an artifact of type `dataset` that the run used (an input in its
 * lineage), with what is known about it in the artifact's metadata. The fields are MLflow's dataset input
 * (`log-inputs`: name, digest, source, schema, context), so a core `logDataset` can hand the same
 * description to both backends.
 */
export interface WandbDataset {
  name: string;
  /** The data's own digest (e.g. MLflow's dataset digest); kept in the metadata. */
  digest?: string;
  /** Where the data lives (a URI or path); a reference entry when no local files are given. */
  source?: string;
  /** Column names and types, or any JSON the user gives (MLflow: the schema JSON). */
  schema?: unknown;
  /** What the run used it for: 'training', 'validation', 'evaluation' … */
  context?: string;
  /** The kind of source (`http`, `s3`, `local` …), as core's `logDataset` fills it in. */
  sourceType?: string;
  /** Summary figures of the data (rows, features …). */
  profile?: Record<string, unknown>;
  /** The data set's own tags (core's `logDataset`). */
  tags?: Record<string, string>;
  /** Local files of the data set: uploaded (online) or staged (offline) like any artifact. */
  localPath?: string;
}

/** An artifact record of the W&B exporters: core's, plus metadata and a reference entry (no bytes uploaded). */
export interface WandbArtifactRecord extends ArtifactRecord {
  /** JSON metadata shown on the artifact version (wandb's `Artifact.metadata`). */
  metadata?: Record<string, unknown>;
  /** One entry that points at data stored elsewhere (wandb's `add_reference`): its URI and a digest of it. */
  reference?: { uri: string; digest: string };
}

/**
 * The artifact record for a data set used by the run: type `dataset`, `input: true`, the name made valid for
 * W&B, and `{ digest, source, schema, context }` as metadata. With `localPath` its files are the artifact's;
 * without, the source becomes a reference entry, so the version still has content and a digest.
 * Throws when there is neither (nothing to name the version by).
 */
export function datasetArtifactRecord(dataset: WandbDataset, wallTime = Date.now()): WandbArtifactRecord {
  const metadata: Record<string, unknown> = {};
  for (const key of ['digest', 'source', 'sourceType', 'schema', 'profile', 'context', 'tags'] as const) {
    const value = dataset[key];
    const emptyTags = key === 'tags' && Object.keys(dataset.tags ?? {}).length === 0;
    if (value !== undefined && !emptyTags) metadata[key] = value;
  }
  const record: WandbArtifactRecord = {
    kind: 'artifact',
    wallTime,
    localPath: dataset.localPath ?? '',
    artifactPath: '',
    type: 'dataset',
    name: suggestArtifactName(dataset.name, 'dataset'),
    input: true,
    metadata,
  };
  if (dataset.localPath === undefined) {
    if (!dataset.source) throw new TypeError('a W&B dataset needs local files (localPath) or a source URI');
    record.reference = { uri: dataset.source, digest: dataset.digest ?? dataset.source };
  }
  return record;
}

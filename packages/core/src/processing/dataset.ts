import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { DatasetData, DatasetRecord } from '../spec.js';
import { MAX_TAG_VALUE, type Checked } from './kinds.js';
import { withoutUrlCredentials } from '../secrets.js';

/** MLflow's limits on a dataset (its database columns): name 500, digest 36, source type 36 characters. */
export const MAX_DATASET_DIGEST = 36;
const MAX_DATASET_NAME = 500;
const MAX_SOURCE_TYPE = 36;

const text = (what: string, max: number) => z.string().min(1, `${what} must not be empty`).max(max, `${what} must be at most ${max} characters`);
const jsonScalar = z.union([z.string(), z.number().refine(Number.isFinite, 'must be a finite number'), z.boolean()]);

const datasetSchema = z.strictObject({
  name: text('name', MAX_DATASET_NAME),
  source: text('source', MAX_TAG_VALUE),
  digest: text('digest', MAX_DATASET_DIGEST).optional(),
  sourceType: text('sourceType', MAX_SOURCE_TYPE).optional(),
  schema: z.array(z.strictObject({ name: text('a column name', 250), type: text('a column type', 64) })).optional(),
  profile: z.record(z.string(), jsonScalar).optional(),
  context: text('context', 250).optional(),
  tags: z.record(z.string().min(1).max(250), z.string().max(MAX_TAG_VALUE)).optional(),
});

/**
 * A `logDataset` call's payload, checked and completed: the digest (8 hex characters of a SHA-256 of the
 * description, MLflow's digest length) and source type (from the URI) filled in when not given.
 */
export function checkDataset(dataset: unknown): Checked<Omit<DatasetRecord, 'kind' | 'wallTime'>> {
  const parsed = datasetSchema.safeParse(dataset);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.map(String).join('.');
    const unknown = issue.code === 'unrecognized_keys' ? ` (known: ${Object.keys(datasetSchema.shape).join(', ')})` : '';
    return { ok: false, problem: `${path ? `${path}: ` : ''}${issue.message}${unknown}` };
  }
  const d: DatasetData = parsed.data;
  const columns = d.schema?.map((c) => c.name) ?? [];
  if (new Set(columns).size !== columns.length) return { ok: false, problem: 'schema: column names must be unique' };
  return {
    ok: true,
    notes: [],
    value: {
      name: d.name,
      digest: d.digest ?? describedDigest(d),
      source: withoutUrlCredentials(d.source),
      sourceType: d.sourceType ?? datasetSourceType(d.source),
      ...(d.schema ? { schema: d.schema.map((c) => ({ name: c.name, type: c.type })) } : {}),
      ...(d.profile ? { profile: { ...d.profile } } : {}),
      ...(d.context !== undefined ? { context: d.context } : {}),
      tags: { ...d.tags },
    },
  };
}

/** MLflow's source types by URI scheme; a path or `file:` URI is `local`. */
export function datasetSourceType(source: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(source)?.[1]?.toLowerCase();
  if (scheme === undefined || scheme === 'file') return 'local';
  if (scheme === 'https') return 'http';
  return scheme;
}

/** The same description gives the same digest; any change to it (source, schema, profile) gives another. */
function describedDigest(d: DatasetData): string {
  const canonical = JSON.stringify([d.name, d.source, d.schema ?? null, d.profile ? Object.entries(d.profile).sort() : null]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 8);
}

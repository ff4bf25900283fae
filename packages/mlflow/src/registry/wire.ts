/** The registry's objects as MLflow's REST API returns them, and as this package hands them out. */

export interface WireTag {
  key: string;
  value: string;
}

export interface WireModelVersion {
  name: string;
  version: string;
  source?: string;
  run_id?: string;
  run_link?: string;
  description?: string;
  status?: string;
  creation_timestamp?: number | string;
  last_updated_timestamp?: number | string;
  tags?: WireTag[];
  aliases?: string[];
}

export interface WireRegisteredModel {
  name: string;
  description?: string;
  creation_timestamp?: number | string;
  last_updated_timestamp?: number | string;
  tags?: WireTag[];
  aliases?: { alias: string; version: string }[];
  latest_versions?: WireModelVersion[];
}

/** A model version: where its files are (`source`), the run that made them (`runId`), its tags and aliases. */
export interface ModelVersion {
  name: string;
  version: string;
  source: string;
  /** The run that produced it: the MLflow UI links the version to this run. */
  runId: string | undefined;
  description: string;
  /** `READY` once the server has it (`PENDING_REGISTRATION` / `FAILED_REGISTRATION` otherwise). */
  status: string;
  tags: Record<string, string>;
  aliases: string[];
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
}

/** A registered model: its description, tags and aliases (alias → version). */
export interface RegisteredModel {
  name: string;
  description: string;
  tags: Record<string, string>;
  aliases: Record<string, string>;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
}

const tagsOf = (tags: WireTag[] | undefined): Record<string, string> => Object.fromEntries((tags ?? []).map((t) => [t.key, t.value]));

export function toModelVersion(v: WireModelVersion): ModelVersion {
  return {
    name: v.name,
    version: String(v.version),
    source: v.source ?? '',
    runId: v.run_id || undefined,
    description: v.description ?? '',
    status: v.status ?? 'READY',
    tags: tagsOf(v.tags),
    aliases: [...(v.aliases ?? [])],
    creationTimestamp: Number(v.creation_timestamp ?? 0),
    lastUpdatedTimestamp: Number(v.last_updated_timestamp ?? 0),
  };
}

export function toRegisteredModel(m: WireRegisteredModel): RegisteredModel {
  return {
    name: m.name,
    description: m.description ?? '',
    tags: tagsOf(m.tags),
    aliases: Object.fromEntries((m.aliases ?? []).map((a) => [a.alias, String(a.version)])),
    creationTimestamp: Number(m.creation_timestamp ?? 0),
    lastUpdatedTimestamp: Number(m.last_updated_timestamp ?? 0),
  };
}

export const wireTags = (tags: Record<string, string> | undefined): WireTag[] => Object.entries(tags ?? {}).map(([key, value]) => ({ key, value }));

import { ExportError } from '@metrics/core';
import type { HttpClient } from '@metrics/core/http';

const UPSERT_BUCKET = `mutation UpsertBucket(
  $id: String, $name: String, $project: String, $entity: String, $groupName: String, $description: String, $displayName: String,
  $notes: String, $config: JSONString, $host: String, $jobType: String, $tags: [String!], $summaryMetrics: JSONString
) {
  upsertBucket(input: {
    id: $id, name: $name, modelName: $project, entityName: $entity, groupName: $groupName, description: $description,
    displayName: $displayName, notes: $notes, config: $config, host: $host, jobType: $jobType, tags: $tags, summaryMetrics: $summaryMetrics
  }) {
    bucket { id name displayName description config project { id name entity { id name } } historyLineCount }
    inserted
  }
}`;

const RUN_RESUME_STATUS = `query RunResumeStatus($project: String, $entity: String, $name: String!) {
  model(name: $project, entityName: $entity) {
    id name entity { id name }
    bucket(name: $name, missingOk: true) { id name summaryMetrics displayName logLineCount historyLineCount eventsLineCount historyTail eventsTail config tags }
  }
}`;

const CREATE_RUN_FILES = `mutation CreateRunFiles($entity: String!, $project: String!, $run: String!, $files: [String!]!) {
  createRunFiles(input: {entityName: $entity, projectName: $project, runName: $run, files: $files}) { runID uploadHeaders files { name uploadUrl } }
}`;

export interface UpsertVariables {
  id?: string;
  name: string;
  project?: string;
  entity?: string;
  groupName?: string;
  displayName?: string;
  notes?: string;
  config?: string;
  host?: string;
  jobType?: string;
  tags?: string[];
  summaryMetrics?: string;
}

export interface BucketInfo {
  id: string;
  name: string;
  project: string;
  entity: string;
  inserted: boolean;
}

export interface ResumeStatus {
  exists: boolean;
  historyLineCount: number;
  eventsLineCount: number;
  logLineCount: number;
  /** Last `_step` in the uploaded history, or -1. */
  lastStep: number;
  summary: Record<string, unknown>;
}

export interface UploadTarget {
  name: string;
  uploadUrl: string;
}

/** The three GraphQL operations a run needs. */
export class WandbGraphql {
  constructor(
    private readonly http: HttpClient,
    private readonly baseUrl: string,
  ) {}

  /** One GraphQL request; a GraphQL error is final, a non-JSON or empty answer is retryable. */
  async call<T>(operationName: string, query: string, variables: Record<string, unknown>, retryConflict = false): Promise<T> {
    const body = JSON.stringify({ query, variables, operationName });
    const what = `GraphQL ${operationName}`;
    const res = await this.http.request({ method: 'POST', url: `${this.baseUrl}/graphql`, body, what, alsoRetry: retryConflict ? [409] : undefined });
    let parsed: { data?: T; errors?: { message?: string }[] };
    try {
      parsed = JSON.parse(res.text) as typeof parsed;
    } catch {
      throw new ExportError(`GraphQL ${operationName}: the answer is not JSON`, { isRetryable: true });
    }
    if (parsed.errors?.length) {
      throw new ExportError(this.http.scrub(`GraphQL ${operationName}: ${parsed.errors.map((e) => e.message ?? '?').join('; ')}`), { isRetryable: false });
    }
    if (!parsed.data) throw new ExportError(`GraphQL ${operationName}: no data in the answer`, { isRetryable: true });
    return parsed.data;
  }

  async upsertBucket(vars: UpsertVariables): Promise<BucketInfo> {
    const data = await this.call<{
      upsertBucket?: { bucket?: { id?: string; name?: string; project?: { name?: string; entity?: { name?: string } } }; inserted?: boolean };
    }>(
      'UpsertBucket',
      UPSERT_BUCKET,
      { ...vars },
      true, // UpsertBucket is the one call that retries 409
    );
    const b = data.upsertBucket?.bucket;
    if (!b?.id || !b.project?.name || !b.project.entity?.name)
      throw new ExportError('GraphQL UpsertBucket: the answer lacks the run, project or entity', { isRetryable: false });
    return { id: b.id, name: b.name ?? vars.name, project: b.project.name, entity: b.project.entity.name, inserted: data.upsertBucket?.inserted ?? false };
  }

  async resumeStatus(project: string | undefined, entity: string | undefined, name: string): Promise<ResumeStatus> {
    type Bucket = { historyLineCount?: number; eventsLineCount?: number; logLineCount?: number; historyTail?: string; summaryMetrics?: string };
    const data = await this.call<{ model?: { bucket?: Bucket | null } | null }>('RunResumeStatus', RUN_RESUME_STATUS, { project, entity, name });
    const b = data.model?.bucket;
    if (!b) return { exists: false, historyLineCount: 0, eventsLineCount: 0, logLineCount: 0, lastStep: -1, summary: {} };
    let lastStep = -1;
    try {
      const tail = JSON.parse(b.historyTail ?? '[]') as string[];
      for (const line of tail) {
        const step = (JSON.parse(line) as { _step?: unknown })._step;
        if (typeof step === 'number' && step > lastStep) lastStep = step;
      }
    } catch {
      // an unreadable tail: fall back to the summary's _step
    }
    let summary: Record<string, unknown> = {};
    try {
      summary = JSON.parse(b.summaryMetrics ?? '{}') as Record<string, unknown>;
    } catch {
      summary = {};
    }
    if (lastStep < 0 && typeof summary._step === 'number') lastStep = summary._step;
    return {
      exists: true,
      historyLineCount: b.historyLineCount ?? 0,
      eventsLineCount: b.eventsLineCount ?? 0,
      logLineCount: b.logLineCount ?? 0,
      lastStep,
      summary,
    };
  }

  async createRunFiles(entity: string, project: string, run: string, files: string[]): Promise<{ targets: UploadTarget[]; headers: Record<string, string> }> {
    const data = await this.call<{ createRunFiles?: { uploadHeaders?: string[] | null; files?: UploadTarget[] } }>('CreateRunFiles', CREATE_RUN_FILES, {
      entity,
      project,
      run,
      files,
    });
    const headers: Record<string, string> = {};
    for (const h of data.createRunFiles?.uploadHeaders ?? []) {
      const i = h.indexOf(':');
      if (i > 0) headers[h.slice(0, i).trim()] = h.slice(i + 1).trim();
    }
    return { targets: data.createRunFiles?.files ?? [], headers };
  }
}

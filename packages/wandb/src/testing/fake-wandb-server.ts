import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { FakeArtifactStore } from './fake-artifacts.js';

/** One request the fake server received. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** GraphQL operation name, 'file_stream', 'upload', 'artifact-upload' or 'other'. */
  kind: string;
  /** Parsed JSON body (GraphQL, file_stream) or undefined. */
  json?: unknown;
  bytes: Buffer;
  /** Date.now() when it arrived. */
  at: number;
  /** The status we answered with. */
  status?: number;
}

/** What the fake server knows about a run, rebuilt the way wandb's own test backend does. */
export interface FakeRun {
  name: string;
  id: string;
  entity: string;
  project: string;
  displayName?: string;
  group?: string;
  tags?: string[];
  notes?: string;
  jobType?: string;
  /** Last `config` JSONString, parsed. */
  config?: Record<string, unknown>;
  summaryMetrics?: Record<string, unknown>;
  /** file_stream files: offset → line. */
  files: Map<string, Map<number, string>>;
  uploaded: string[];
  complete: boolean;
  exitcode?: number;
  upserts: number;
}

/** A fault for the next matching request: an HTTP status (with Retry-After) or a dropped connection. */
export type Fault = { status: number; retryAfterS?: number } | { reset: true };

export interface FakeWandbServer {
  url: string;
  port: number;
  requests: RecordedRequest[];
  runs: Map<string, FakeRun>;
  /** Uploaded file bodies by `<run>/<path>`. */
  uploads: Map<string, Buffer>;
  /** Artifact versions created, uploaded, committed and used through the GraphQL artifact flow. */
  artifacts: FakeArtifactStore;
  /** Queue faults for requests of `kind` ('file_stream', 'upload', 'UpsertBucket', 'graphql' = any GraphQL). */
  injectFaults(kind: string, faults: Fault[]): void;
  /** History lines of a run, in offset order, parsed. */
  history(run: string): Record<string, unknown>[];
  /** The last summary line of a run, parsed. */
  summary(run: string): Record<string, unknown> | undefined;
  lines(run: string, file: string): string[];
  close(): Promise<void>;
}

const DEFAULT_ENTITY = 'fake-entity';

function parseJsonLoose(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // wandb sends bare NaN/Infinity inside history lines only; bodies are proper JSON
    return undefined;
  }
}

/** Parses a history/summary line, accepting W&B's bare NaN/Infinity tokens. */
export function parseWandbLine(line: string): Record<string, unknown> {
  const fixed = line.replace(/(?<=[:,[]\s*)(-?Infinity|NaN)(?=\s*[,}\]])/g, '"__$1__"');
  return JSON.parse(fixed, (_k, v: unknown) => (v === '__NaN__' ? NaN : v === '__Infinity__' ? Infinity : v === '__-Infinity__' ? -Infinity : v)) as Record<
    string,
    unknown
  >;
}

/**
 * A loopback fake of the W&B server parts a run and `wandb sync` use: GraphQL (ServerFeaturesQuery,
 * Viewer, UpsertBucket, RunResumeStatus, CreateRunFiles, and the artifact flow of `FakeArtifactStore`),
 * file_stream and signed-URL uploads. It
 * records every request and stores file_stream lines by offset, like wandb's own test backend spy.
 */
export async function startFakeWandbServer(options: { entity?: string } = {}): Promise<FakeWandbServer> {
  const entityDefault = options.entity ?? DEFAULT_ENTITY;
  const requests: RecordedRequest[] = [];
  const runs = new Map<string, FakeRun>();
  const uploads = new Map<string, Buffer>();
  const faults = new Map<string, Fault[]>();
  let url = '';
  let seq = 0;
  const artifacts = new FakeArtifactStore(() => url);

  const takeFault = (kind: string): Fault | undefined =>
    faults.get(kind)?.shift() ?? (kind !== 'file_stream' && kind !== 'upload' && kind !== 'artifact-upload' ? faults.get('graphql')?.shift() : undefined);

  const runFor = (name: string, project: string, entity: string): FakeRun => {
    let run = runs.get(name);
    if (!run) {
      run = { name, id: `run-storage-${++seq}`, entity, project, files: new Map(), uploaded: [], complete: false, upserts: 0 };
      runs.set(name, run);
    }
    return run;
  };

  const graphql = (body: { query?: string; variables?: Record<string, unknown>; operationName?: string }): unknown => {
    const op = body.operationName ?? /(?:query|mutation)\s+(\w+)/.exec(body.query ?? '')?.[1] ?? '';
    const v = body.variables ?? {};
    const artifactAnswer = artifacts.graphql(op, v);
    if (artifactAnswer) return artifactAnswer;
    switch (op) {
      case 'ServerFeaturesQuery':
        return { data: { serverInfo: { features: [] } } };
      case 'Viewer':
        return {
          data: { viewer: { id: 'viewer-1', entity: entityDefault, username: 'fake-user', email: 'fake@example.invalid', flags: '{}', teams: { edges: [] } } },
        };
      case 'UpsertBucket': {
        const name = String(v.name ?? `generated-${++seq}`);
        const existing = runs.get(name);
        const run = runFor(name, String(v.project ?? existing?.project ?? 'uncategorized'), String(v.entity ?? existing?.entity ?? entityDefault));
        run.upserts++;
        if (typeof v.displayName === 'string') run.displayName = v.displayName;
        if (typeof v.groupName === 'string') run.group = v.groupName;
        if (Array.isArray(v.tags)) run.tags = v.tags as string[];
        if (typeof v.notes === 'string') run.notes = v.notes;
        if (typeof v.jobType === 'string') run.jobType = v.jobType;
        if (typeof v.config === 'string') run.config = parseJsonLoose(v.config) as Record<string, unknown>;
        if (typeof v.summaryMetrics === 'string') run.summaryMetrics = parseJsonLoose(v.summaryMetrics) as Record<string, unknown>;
        return {
          data: {
            upsertBucket: {
              bucket: {
                id: run.id,
                name: run.name,
                displayName: run.displayName ?? run.name,
                description: null,
                config: JSON.stringify(run.config ?? {}),
                sweepName: null,
                project: { id: `project-${run.project}`, name: run.project, entity: { id: `entity-${run.entity}`, name: run.entity } },
                historyLineCount: run.files.get('wandb-history.jsonl')?.size ?? 0,
              },
              inserted: !existing,
            },
          },
        };
      }
      case 'RunResumeStatus': {
        const run = runs.get(String(v.name));
        if (!run) return { data: { model: { id: 'project', name: v.project, entity: { id: 'e', name: entityDefault }, bucket: null } } };
        const hist = lines(run.name, 'wandb-history.jsonl');
        return {
          data: {
            model: {
              id: 'project',
              name: run.project,
              entity: { id: 'e', name: run.entity },
              bucket: {
                id: run.id,
                name: run.name,
                displayName: run.displayName,
                summaryMetrics: JSON.stringify(run.summaryMetrics ?? {}),
                historyLineCount: hist.length,
                eventsLineCount: lines(run.name, 'wandb-events.jsonl').length,
                logLineCount: lines(run.name, 'output.log').length,
                historyTail: JSON.stringify(hist.slice(-10)),
                eventsTail: '[]',
                config: JSON.stringify(run.config ?? {}),
                tags: run.tags ?? [],
              },
            },
          },
        };
      }
      case 'CreateRunFiles': {
        const run = String(v.run);
        const files = (v.files as string[] | undefined) ?? [];
        return {
          data: {
            createRunFiles: {
              runID: runs.get(run)?.id ?? run,
              uploadHeaders: [],
              files: files.map((name) => ({
                name,
                uploadUrl: `${url}/upload/${encodeURIComponent(run)}/${name.split('/').map(encodeURIComponent).join('/')}`,
              })),
            },
          },
        };
      }
      default:
        return { data: {} };
    }
  };

  const fileStream = (path: string, body: Record<string, unknown>) => {
    const m = /^\/files\/([^/]+)\/([^/]+)\/([^/]+)\/file_stream$/.exec(path)!;
    const run = runFor(decodeURIComponent(m[3]!), decodeURIComponent(m[2]!), decodeURIComponent(m[1]!));
    const files = (body.files ?? {}) as Record<string, { offset: number; content: string[] }>;
    for (const [name, f] of Object.entries(files)) {
      let store = run.files.get(name);
      if (!store) run.files.set(name, (store = new Map()));
      f.content.forEach((line, i) => store!.set(f.offset + i, line));
    }
    if (Array.isArray(body.uploaded)) run.uploaded.push(...(body.uploaded as string[]));
    if (body.complete === true) {
      run.complete = true;
      run.exitcode = body.exitcode as number;
    }
  };

  const lines = (run: string, file: string): string[] => {
    const store = runs.get(run)?.files.get(file);
    if (!store) return [];
    return [...store.entries()].sort((a, b) => a[0] - b[0]).map(([, l]) => l);
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let bytes = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') bytes = gunzipSync(bytes);
      const path = (req.url ?? '/').split('?')[0]!;
      const rec: RecordedRequest = { method: req.method ?? '', path, headers: req.headers, kind: 'other', bytes, at: Date.now() };
      requests.push(rec);
      const answer = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        rec.status = status;
        res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
        res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
      };
      try {
        if (req.method === 'POST' && path === '/graphql') {
          const body = JSON.parse(bytes.toString('utf8')) as { query?: string; operationName?: string };
          rec.json = body;
          rec.kind = body.operationName ?? /(?:query|mutation)\s+(\w+)/.exec(body.query ?? '')?.[1] ?? 'graphql';
        } else if (req.method === 'POST' && path.endsWith('/file_stream')) {
          rec.kind = 'file_stream';
          rec.json = JSON.parse(bytes.toString('utf8'));
        } else if (req.method === 'PUT' && path.startsWith('/upload/')) rec.kind = 'upload';
        else if (req.method === 'PUT' && path.startsWith('/artifact-upload/')) rec.kind = 'artifact-upload';
        const fault = takeFault(rec.kind);
        if (fault && 'reset' in fault) {
          rec.status = 0;
          req.socket.destroy();
          return;
        }
        if (fault)
          return answer(fault.status, { error: 'injected fault' }, fault.retryAfterS !== undefined ? { 'Retry-After': String(fault.retryAfterS) } : {});
        if (rec.kind === 'file_stream') {
          fileStream(path, rec.json as Record<string, unknown>);
          return answer(200, { exitcode: null, limits: {} });
        }
        if (rec.kind === 'upload') {
          const [, , run, ...rest] = path.split('/');
          uploads.set(`${decodeURIComponent(run!)}/${rest.map(decodeURIComponent).join('/')}`, bytes);
          return answer(200, '');
        }
        if (rec.kind === 'artifact-upload') {
          const md5 = req.headers['content-md5'];
          const result = artifacts.upload(path, bytes, typeof md5 === 'string' ? md5 : undefined);
          return answer(result.status, result.message ? { error: result.message } : '');
        }
        if (path === '/graphql') return answer(200, graphql(rec.json as never));
        return answer(404, { error: `fake W&B server: no route for ${req.method} ${path}` });
      } catch (error) {
        return answer(400, { error: String(error) });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  url = `http://127.0.0.1:${port}`;
  return {
    url,
    port,
    requests,
    runs,
    uploads,
    artifacts,
    injectFaults(kind, list) {
      faults.set(kind, [...(faults.get(kind) ?? []), ...list]);
    },
    history: (run) => lines(run, 'wandb-history.jsonl').map(parseWandbLine),
    summary: (run) => {
      const l = lines(run, 'wandb-summary.json');
      return l.length ? parseWandbLine(l[l.length - 1]!) : undefined;
    },
    lines,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

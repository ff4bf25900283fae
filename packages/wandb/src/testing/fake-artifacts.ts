import { createHash } from 'node:crypto';

/** One file of an artifact version as the fake server knows it: declared by CreateArtifactFiles, then uploaded. */
export interface FakeArtifactFile {
  name: string;
  /** Base64 MD5 the client declared. */
  md5: string;
  /** Set once the bytes arrived (and matched `md5`). */
  bytes?: Buffer;
  /** The artifact that first stored these bytes (another version when the server had them already). */
  birthArtifactId: string;
}

/** One artifact version, rebuilt from the GraphQL artifact flow the way W&B's server keeps it. */
export interface FakeArtifact {
  id: string;
  entity: string;
  project: string;
  /** Collection (the artifact's name without version). */
  name: string;
  type: string;
  /** `v0`, `v1`, … within the collection. */
  version: string;
  digest: string;
  digestAlgorithm?: string;
  description?: string;
  metadata?: Record<string, unknown>;
  clientId?: string;
  sequenceClientId?: string;
  /** The run that created (logged) it. */
  createdBy?: string;
  /** Runs that used it as an input (UseArtifact). */
  usedBy: string[];
  state: 'PENDING' | 'COMMITTED';
  /** Aliases of this version (`latest` moves to the newest committed version of the collection). */
  aliases: string[];
  /** Aliases asked for at creation; they take effect at the commit. */
  requestedAliases: string[];
  files: Map<string, FakeArtifactFile>;
  /** CreateArtifactManifest calls: the manifest's file name, digest, type and whether an upload URL was asked for. */
  manifestRequests: { name: string; digest: string; type?: string; includeUpload: boolean }[];
  /** The uploaded manifest, parsed. */
  manifest?: { version: number; storagePolicy: string; storagePolicyConfig: Record<string, unknown>; contents: Record<string, ArtifactManifestEntryJson> };
}

export interface ArtifactManifestEntryJson {
  digest: string;
  size: number;
  birthArtifactID?: string | null;
  ref?: string;
  extra?: Record<string, unknown>;
}

type Variables = Record<string, unknown>;
type Answer = { data?: unknown; errors?: { message: string }[] };

const b64md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('base64');
const error = (message: string): Answer => ({ errors: [{ message }] });

/**
 * The artifact half of the fake W&B server: CreateArtifact, CreateArtifactManifest, CreateArtifactFiles,
 * the signed-URL uploads, CommitArtifact and UseArtifact, with the rules the real server enforces that a
 * client can get wrong: a committed version with the same digest is returned instead of a new one, uploads
 * must match the MD5 declared for them, and a commit needs the manifest and every declared file.
 */
export class FakeArtifactStore {
  readonly artifacts = new Map<string, FakeArtifact>();
  private seq = 0;

  constructor(private readonly baseUrl: () => string) {}

  /** Every version of a collection, oldest first. */
  versions(name: string): FakeArtifact[] {
    return [...this.artifacts.values()].filter((a) => a.name === name);
  }

  /** The GraphQL answer for an artifact operation, or undefined when `op` is not one. */
  graphql(op: string, v: Variables): Answer | undefined {
    switch (op) {
      case 'CreateArtifact':
        return this.create((v.input ?? v) as Variables);
      case 'CreateArtifactManifest':
        return this.createManifest((v.input ?? v) as Variables);
      case 'CreateArtifactFiles':
        return this.createFiles(v);
      case 'CommitArtifact':
        return this.commit((v.input ?? v) as Variables);
      case 'UseArtifact':
        return this.use((v.input ?? v) as Variables);
      default:
        return undefined;
    }
  }

  private create(input: Variables): Answer {
    const name = String(input.artifactCollectionName ?? '');
    const type = String(input.artifactTypeName ?? '');
    const digest = String(input.digest ?? '');
    if (!name || !type || !digest) return error('createArtifact: artifactCollectionName, artifactTypeName and digest are required');
    if (!/^[\w.-]+$/.test(name)) return error(`createArtifact: invalid artifact name "${name}"`);
    const earlier = this.versions(name);
    if (earlier.length > 0 && earlier[0]!.type !== type)
      return error(`createArtifact: artifact collection "${name}" has type "${earlier[0]!.type}", not "${type}"`);
    const aliases = ((input.aliases as { alias?: string }[] | undefined) ?? []).map((a) => String(a.alias));
    const latestCommitted = [...earlier].reverse().find((a) => a.state === 'COMMITTED');
    // The server deduplicates: the same content again is the existing version (its aliases join it).
    const same = earlier.find((a) => a.digest === digest && a.state === 'COMMITTED');
    if (same) {
      this.addAliases(same, aliases);
      return { data: { createArtifact: { artifact: this.attrs(same, latestCommitted) } } };
    }
    const artifact: FakeArtifact = {
      id: Buffer.from(`artifact-${++this.seq}`).toString('base64'),
      entity: String(input.entityName || 'fake-entity'),
      project: String(input.projectName ?? ''),
      name,
      type,
      version: `v${earlier.length}`,
      digest,
      digestAlgorithm: typeof input.digestAlgorithm === 'string' ? input.digestAlgorithm : undefined,
      description: typeof input.description === 'string' ? input.description : undefined,
      metadata: typeof input.metadata === 'string' ? (JSON.parse(input.metadata) as Record<string, unknown>) : undefined,
      clientId: typeof input.clientID === 'string' ? input.clientID : undefined,
      sequenceClientId: typeof input.sequenceClientID === 'string' ? input.sequenceClientID : undefined,
      createdBy: typeof input.runName === 'string' ? input.runName : undefined,
      usedBy: [],
      state: 'PENDING',
      aliases: [],
      requestedAliases: aliases,
      files: new Map(),
      manifestRequests: [],
    };
    this.artifacts.set(artifact.id, artifact);
    return { data: { createArtifact: { artifact: this.attrs(artifact, latestCommitted) } } };
  }

  private attrs(a: FakeArtifact, latest: FakeArtifact | undefined) {
    return {
      id: a.id,
      state: a.state,
      digest: a.digest,
      versionIndex: Number(a.version.slice(1)),
      artifactSequence: { id: `seq-${a.name}`, latestArtifact: latest ? { id: latest.id, versionIndex: Number(latest.version.slice(1)) } : null },
    };
  }

  private createManifest(input: Variables): Answer {
    const a = this.artifacts.get(String(input.artifactID));
    if (!a) return error(`createArtifactManifest: no artifact ${String(input.artifactID)}`);
    const name = String(input.name ?? 'wandb_manifest.json');
    const includeUpload = input.includeUpload !== false;
    a.manifestRequests.push({ name, digest: String(input.digest ?? ''), type: typeof input.type === 'string' ? input.type : undefined, includeUpload });
    return {
      data: {
        createArtifactManifest: {
          artifactManifest: {
            id: `manifest-${a.id}`,
            file: {
              id: `manifest-file-${a.id}`,
              name,
              displayName: name,
              uploadUrl: includeUpload ? this.uploadUrl(a, name) : null,
              uploadHeaders: [],
            },
          },
        },
      },
    };
  }

  private createFiles(v: Variables): Answer {
    const specs = (v.artifactFiles ?? (v.input as Variables | undefined)?.artifactFiles) as Variables[] | undefined;
    if (!Array.isArray(specs)) return error('createArtifactFiles: artifactFiles is required');
    const edges = [];
    for (const spec of specs) {
      const a = this.artifacts.get(String(spec.artifactID));
      if (!a) return error(`createArtifactFiles: no artifact ${String(spec.artifactID)}`);
      const name = String(spec.name);
      const md5 = String(spec.md5);
      // Bytes the server already stores (same MD5, in an earlier version of the collection) need no upload.
      const stored = this.versions(a.name)
        .flatMap((other) => [...other.files.values()])
        .find((f) => f.md5 === md5 && f.bytes !== undefined);
      const file: FakeArtifactFile = { name, md5, birthArtifactId: stored?.birthArtifactId ?? a.id };
      if (stored) file.bytes = stored.bytes;
      a.files.set(name, file);
      edges.push({
        node: {
          id: `file-${a.id}-${name}`,
          name,
          displayName: name.split('/').pop(),
          uploadUrl: stored ? null : this.uploadUrl(a, name),
          // A signed URL checks the body's MD5 against the one it was signed with.
          uploadHeaders: stored ? [] : [`Content-MD5:${md5}`],
          artifact: { id: file.birthArtifactId },
        },
      });
    }
    return { data: { createArtifactFiles: { files: { edges } } } };
  }

  private uploadUrl(a: FakeArtifact, name: string): string {
    return `${this.baseUrl()}/artifact-upload/${encodeURIComponent(a.id)}/${name.split('/').map(encodeURIComponent).join('/')}`;
  }

  /** A PUT to an upload URL: the status to answer with. */
  upload(path: string, bytes: Buffer, contentMd5: string | undefined): { status: number; message?: string } {
    const [, , id, ...rest] = path.split('/');
    const a = this.artifacts.get(decodeURIComponent(id ?? ''));
    if (!a) return { status: 404, message: 'no such artifact' };
    const name = rest.map(decodeURIComponent).join('/');
    const request = a.manifestRequests.find((m) => m.name === name && m.includeUpload);
    if (request) {
      a.manifest = JSON.parse(bytes.toString('utf8')) as FakeArtifact['manifest'];
      return { status: 200 };
    }
    const file = a.files.get(name);
    if (!file) return { status: 403, message: `no upload was granted for ${name}` };
    if (contentMd5 !== undefined && contentMd5 !== file.md5) return { status: 400, message: 'Content-MD5 header differs from the signed one' };
    if (b64md5(bytes) !== file.md5) return { status: 400, message: `the body's MD5 is not the declared ${file.md5}` };
    file.bytes = bytes;
    return { status: 200 };
  }

  private commit(input: Variables): Answer {
    const a = this.artifacts.get(String(input.artifactID));
    if (!a) return error(`commitArtifact: no artifact ${String(input.artifactID)}`);
    if (!a.manifest) return error('commitArtifact: the manifest was not uploaded');
    for (const [path, entry] of Object.entries(a.manifest.contents)) {
      if (entry.ref) continue;
      const file = a.files.get(path);
      if (!file?.bytes) return error(`commitArtifact: ${path} is in the manifest but was not uploaded`);
      if (file.md5 !== entry.digest) return error(`commitArtifact: ${path} has digest ${entry.digest} in the manifest, ${file.md5} uploaded`);
    }
    a.state = 'COMMITTED';
    this.addAliases(a, a.requestedAliases);
    return { data: { commitArtifact: { artifact: { id: a.id, digest: a.digest } } } };
  }

  /** An alias names one version of a collection: setting it moves it off the others. */
  private addAliases(a: FakeArtifact, aliases: readonly string[]): void {
    for (const alias of aliases) {
      for (const other of this.versions(a.name)) other.aliases = other.aliases.filter((x) => x !== alias);
      a.aliases.push(alias);
    }
  }

  private use(input: Variables): Answer {
    const a = this.artifacts.get(String(input.artifactID));
    if (!a) return error(`useArtifact: no artifact ${String(input.artifactID)}`);
    if (a.state !== 'COMMITTED') return error('useArtifact: the artifact is not committed');
    const run = String(input.runName ?? '');
    if (!a.usedBy.includes(run)) a.usedBy.push(run);
    return { data: { useArtifact: { artifact: { id: a.id, digest: a.digest } } } };
  }
}

import { createHash, randomInt } from 'node:crypto';
import { closeSync, lstatSync, mkdirSync, openSync, readdirSync, readSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ArtifactRecord } from '@metrics/core/backend';
import type { WandbArtifactRecord } from './dataset.js';
import { artifactAliasProblem, artifactNameProblem, artifactTypeProblem, suggestArtifactName } from '@metrics/core/backend';

/**
 * A W&B artifact version as both transports send it: its files with their MD5 and size, and the manifest
 * digest that names the content. Facts checked against wandb 0.31 (an offline run of the Python SDK, its
 * `wandb sync` and the `wandb_internal` descriptors): an entry's digest is the base64 MD5 of its bytes; the
 * artifact's digest ("MANIFEST_MD5") is the hex MD5 of `wandb-artifact-manifest-v1\n` followed by
 * `<path>:<entry digest>\n` for every entry in path order.
 */

export interface ArtifactEntry {
  /** Path inside the artifact, '/'-separated. */
  path: string;
  /** Where the bytes are (the original file online, a staged copy offline); '' for a reference. */
  localPath: string;
  size: number;
  /** Base64 MD5 of the bytes (a reference: the digest given for it). */
  digest: string;
  /** A reference entry's URI: data stored elsewhere, nothing uploaded. */
  ref?: string;
}

export interface PreparedArtifact {
  name: string;
  type: string;
  /** User aliases, then `latest` (what wandb sends). */
  aliases: string[];
  /** Hex MD5 over the entries (see above). */
  digest: string;
  entries: ArtifactEntry[];
  /** The run consumed it (used after commit). */
  input: boolean;
  /** Metadata as JSON text, or undefined. */
  metadata?: string;
  /** 128 random [a-z0-9] characters, as wandb makes them: the client's id of this version and of its collection. */
  clientId: string;
  sequenceClientId: string;
}

/** The type W&B gets when `logArtifact` names none. */
export const DEFAULT_ARTIFACT_TYPE = 'model';
export const STORAGE_POLICY = 'wandb-storage-policy-v1';
export const DIGEST_ALGORITHM = 'MANIFEST_MD5';
const MANIFEST_DIGEST_HEADER = 'wandb-artifact-manifest-v1\n';
const CHUNK = 1 << 20;

/** An artifact that cannot be made (a bad name, an unreadable or escaping path): skipped, with this message. */
export class ArtifactProblem extends Error {}

/** The artifact's content digest (hex MD5; see the module comment). */
export function manifestDigest(entries: readonly { path: string; digest: string }[]): string {
  const hash = createHash('md5').update(MANIFEST_DIGEST_HEADER);
  for (const e of [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) hash.update(`${e.path}:${e.digest}\n`);
  return hash.digest('hex');
}

/** `wandb_manifest.json`, the file uploaded before the commit: entries by path, with the artifact that first stored each. */
export function manifestJson(entries: readonly ArtifactEntry[], birthArtifactIds: ReadonlyMap<string, string> = new Map()): string {
  const contents: Record<string, { digest: string; birthArtifactID: string | null; ref?: string; size: number }> = {};
  for (const e of entries) {
    contents[e.path] = { digest: e.digest, birthArtifactID: birthArtifactIds.get(e.path) ?? null, size: e.size };
    if (e.ref !== undefined) contents[e.path]!.ref = e.ref;
  }
  return JSON.stringify({ version: 1, storagePolicy: STORAGE_POLICY, storagePolicyConfig: { storageLayout: 'V2' }, contents });
}

/** 128 characters from [a-z0-9]. */
export function clientId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let i = 0; i < 128; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/**
 * The path of an artifact entry: `artifactPath/<file or directory name>[/<path inside the directory>]`
 * (the layout MLflow gets for the same call). `..`, absolute paths and empty segments cannot escape it.
 */
export function entryPath(artifactPath: string, ...parts: string[]): string {
  const segments: string[] = [];
  for (const part of [artifactPath, ...parts]) {
    for (const s of part.split(/[\\/]+/)) {
      if (s === '' || s === '.') continue;
      if (s === '..') throw new ArtifactProblem(`the artifact path "${artifactPath}" leaves the artifact ("..")`);
      if (/[\u0000-\u001f]/.test(s)) throw new ArtifactProblem(`the artifact path "${part}" has control characters`);
      segments.push(s);
    }
  }
  if (segments.length === 0) throw new ArtifactProblem('an artifact file needs a name');
  return segments.join('/');
}

/** Name, type and aliases of a record, with W&B's defaults; a bad one throws ArtifactProblem naming the fix. */
export function artifactIdentity(record: ArtifactRecord): { name: string; type: string; aliases: string[] } {
  const name = record.name ?? suggestArtifactName(basename(record.localPath.replace(/[\\/]+$/, '')));
  const type = record.type ?? DEFAULT_ARTIFACT_TYPE;
  const problem = artifactNameProblem(name) ?? artifactTypeProblem(type) ?? record.aliases?.map(artifactAliasProblem).find((p) => p !== undefined);
  if (problem) throw new ArtifactProblem(problem);
  const aliases = [...new Set([...(record.aliases ?? []).filter((a) => a !== 'latest'), 'latest'])];
  return { name, type, aliases };
}

/**
 * Reads the record's file or directory (symbolic links are not followed), hashing each file. With `stageDir`,
 * each file is copied there as it is read (offline: `wandb sync` later uploads the copy, so a file the program
 * overwrites afterwards, like a checkpoint saved every epoch, still uploads the bytes the digest names).
 */
export function prepareArtifact(record: WandbArtifactRecord, stageDir?: string): PreparedArtifact {
  const identity = artifactIdentity(record);
  const metadata = record.metadata && Object.keys(record.metadata).length > 0 ? JSON.stringify(record.metadata) : undefined;
  const extra = { input: record.input === true, metadata, clientId: clientId(), sequenceClientId: clientId() };
  if (record.reference) {
    const { uri, digest } = record.reference;
    const entries = [
      {
        path: entryPath(record.artifactPath, suggestArtifactName(uri.split(/[\\/]/).filter(Boolean).pop() ?? '', 'data')),
        localPath: '',
        size: 0,
        digest,
        ref: uri,
      },
    ];
    return { ...identity, ...extra, digest: manifestDigest(entries), entries };
  }
  try {
    return { ...identity, ...extra, ...readTree(record, stageDir) };
  } catch (error) {
    // Whatever the file system says (a directory that cannot be listed, a full disk while staging): this artifact only.
    if (error instanceof ArtifactProblem) throw error;
    throw new ArtifactProblem(`cannot read ${record.localPath}: ${(error as Error).message}`);
  }
}

/** The record's files as entries, and their digest. */
function readTree(record: WandbArtifactRecord, stageDir: string | undefined): { digest: string; entries: ArtifactEntry[] } {
  const root = record.localPath;
  let top;
  try {
    top = lstatSync(root);
  } catch (error) {
    throw new ArtifactProblem(`cannot read ${root}: ${(error as Error).message}`);
  }
  const entries: ArtifactEntry[] = [];
  const add = (file: string, path: string) => entries.push(readEntry(file, path, stageDir ? join(stageDir, ...path.split('/')) : undefined));
  const rootName = basename(root.replace(/[\\/]+$/, ''));
  if (top.isDirectory()) {
    const walk = (dir: string, rel: string[]) => {
      for (const d of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        if (d.isDirectory()) walk(join(dir, d.name), [...rel, d.name]);
        else if (d.isFile()) add(join(dir, d.name), entryPath(record.artifactPath, rootName, ...rel, d.name));
      }
    };
    walk(root, []);
  } else if (top.isFile()) add(root, entryPath(record.artifactPath, rootName));
  else throw new ArtifactProblem(`${root} is not a file or directory`);
  if (entries.length === 0) throw new ArtifactProblem(`${root} holds no files`);
  return { digest: manifestDigest(entries), entries };
}

/** One file's size and base64 MD5, read in 1 MiB chunks (copied to `copyTo` on the way when given). */
function readEntry(file: string, path: string, copyTo: string | undefined): ArtifactEntry {
  const hash = createHash('md5');
  const buffer = Buffer.allocUnsafe(CHUNK);
  let size = 0;
  let fd: number | undefined;
  let out: number | undefined;
  try {
    fd = openSync(file, 'r');
    if (copyTo) out = openNew(copyTo);
    for (let n; (n = readSync(fd, buffer, 0, CHUNK, null)) > 0; ) {
      hash.update(buffer.subarray(0, n));
      if (out !== undefined) for (let off = 0; off < n; ) off += writeSync(out, buffer, off, n - off);
      size += n;
    }
  } catch (error) {
    throw new ArtifactProblem(`cannot read ${file}: ${(error as Error).message}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
    if (out !== undefined) closeSync(out);
  }
  return { path, localPath: copyTo ?? file, size, digest: hash.digest('base64') };
}

function openNew(path: string): number {
  mkdirSync(dirname(path), { recursive: true });
  return openSync(path, 'wx', 0o444);
}

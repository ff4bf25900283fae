import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { ExportError } from '@metrics/core';
import type { HttpClient } from '@metrics/core/http';
import { DIGEST_ALGORITHM, manifestJson, type PreparedArtifact } from '../artifacts/manifest.js';
import type { WandbGraphql } from './graphql.js';

// Our own operations, with the inputs wandb-core sends (checked by running its `wandb sync` against the loopback server).
const CREATE_ARTIFACT = `mutation CreateArtifact($input: CreateArtifactInput!) {
  createArtifact(input: $input) { artifact { id state artifactSequence { latestArtifact { id } } } }
}`;
const CREATE_ARTIFACT_MANIFEST = `mutation CreateArtifactManifest(
  $artifactID: ID!, $baseArtifactID: ID, $name: String!, $digest: String!, $entityName: String!, $projectName: String!,
  $runName: String!, $includeUpload: Boolean!
) {
  createArtifactManifest(input: {
    artifactID: $artifactID, baseArtifactID: $baseArtifactID, name: $name, digest: $digest, entityName: $entityName,
    projectName: $projectName, runName: $runName, type: FULL
  }) { artifactManifest { id file { id uploadUrl @include(if: $includeUpload) uploadHeaders @include(if: $includeUpload) } } }
}`;
const CREATE_ARTIFACT_FILES = `mutation CreateArtifactFiles($input: CreateArtifactFilesInput!) {
  createArtifactFiles(input: $input) { files { edges { node { uploadUrl uploadHeaders artifact { id } } } } }
}`;
const COMMIT_ARTIFACT = `mutation CommitArtifact($artifactID: ID!) { commitArtifact(input: { artifactID: $artifactID }) { artifact { id digest } } }`;
const USE_ARTIFACT = `mutation UseArtifact($input: UseArtifactInput!) { useArtifact(input: $input) { artifact { id } } }`;

/** Upload URLs asked for per CreateArtifactFiles request. */
const FILES_PER_REQUEST = 1000;

export interface ArtifactTarget {
  entity: string;
  project: string;
  runName: string;
}

type ManifestAnswer = {
  createArtifactManifest?: { artifactManifest?: { id?: string; file?: { uploadUrl?: string | null; uploadHeaders?: string[] | null } } };
};

/** `"Key:Value"` strings (W&B's upload headers) as an object. */
export function headerObject(list: readonly string[] | null | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const h of list ?? []) {
    const i = h.indexOf(':');
    if (i > 0) headers[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  return headers;
}

/**
 * Logs one artifact version the way wandb-core does: CreateArtifact (a committed version with the same digest
 * is reused), CreateArtifactManifest for the manifest's id, CreateArtifactFiles for signed URLs, a PUT per
 * file the server does not have yet, the manifest file uploaded, CommitArtifact, then UseArtifact for an
 * input of the run. Returns the artifact's id. Files are read when uploaded and must still match the digest.
 */
export async function uploadArtifact(gql: WandbGraphql, http: HttpClient, to: ArtifactTarget, a: PreparedArtifact): Promise<string> {
  const created = await gql.call<{
    createArtifact?: { artifact?: { id?: string; state?: string; artifactSequence?: { latestArtifact?: { id?: string } | null } } };
  }>('CreateArtifact', CREATE_ARTIFACT, {
    input: {
      entityName: to.entity,
      projectName: to.project,
      // An input is not an output of the run (as wandb-core sends `use_artifact` of a new artifact).
      runName: a.input ? null : to.runName,
      artifactTypeName: a.type,
      artifactCollectionName: a.name,
      digest: a.digest,
      digestAlgorithm: DIGEST_ALGORITHM,
      metadata: a.metadata ?? null,
      aliases: a.aliases.map((alias) => ({ artifactCollectionName: a.name, alias })),
      clientID: a.clientId,
      sequenceClientID: a.sequenceClientId,
      enableDigestDeduplication: true,
    },
  });
  const artifact = created.createArtifact?.artifact;
  if (!artifact?.id) throw new ExportError(`GraphQL CreateArtifact: no artifact id for "${a.name}"`, { isRetryable: false });
  const id = artifact.id;
  if (artifact.state !== 'COMMITTED') {
    if (artifact.state !== 'PENDING' && artifact.state !== 'DELETED')
      throw new ExportError(`GraphQL CreateArtifact: "${a.name}" is in state ${String(artifact.state)}`, { isRetryable: false });
    const baseArtifactID = artifact.artifactSequence?.latestArtifact?.id ?? null;
    const manifestVars = { artifactID: id, baseArtifactID, name: 'wandb_manifest.json', entityName: to.entity, projectName: to.project, runName: to.runName };
    const first = await gql.call<ManifestAnswer>('CreateArtifactManifest', CREATE_ARTIFACT_MANIFEST, { ...manifestVars, digest: '', includeUpload: false });
    const manifestId = first.createArtifactManifest?.artifactManifest?.id;
    if (!manifestId) throw new ExportError('GraphQL CreateArtifactManifest: no manifest id', { isRetryable: false });
    const births = await uploadFiles(gql, http, id, manifestId, a);
    const manifest = Buffer.from(manifestJson(a.entries, births));
    const digest = createHash('md5').update(manifest).digest('base64');
    const second = await gql.call<ManifestAnswer>('CreateArtifactManifest', CREATE_ARTIFACT_MANIFEST, { ...manifestVars, digest, includeUpload: true });
    const file = second.createArtifactManifest?.artifactManifest?.file;
    if (!file?.uploadUrl) throw new ExportError('GraphQL CreateArtifactManifest: no upload URL for the manifest', { isRetryable: false });
    await put(http, file.uploadUrl, manifest, headerObject(file.uploadHeaders), `upload ${a.name}/wandb_manifest.json`);
    await gql.call('CommitArtifact', COMMIT_ARTIFACT, { artifactID: id });
  }
  if (a.input) await gql.call('UseArtifact', USE_ARTIFACT, { input: { entityName: to.entity, projectName: to.project, runName: to.runName, artifactID: id } });
  return id;
}

/** Signed URLs for every file, then the uploads; returns the artifact that first stored each path. */
async function uploadFiles(gql: WandbGraphql, http: HttpClient, artifactID: string, manifestID: string, a: PreparedArtifact): Promise<Map<string, string>> {
  const births = new Map<string, string>();
  const local = a.entries.filter((e) => e.ref === undefined); // a reference has no bytes here
  for (let at = 0; at < local.length; at += FILES_PER_REQUEST) {
    const batch = local.slice(at, at + FILES_PER_REQUEST);
    type Edge = { node?: { uploadUrl?: string | null; uploadHeaders?: string[] | null; artifact?: { id?: string } } };
    const answer = await gql.call<{ createArtifactFiles?: { files?: { edges?: Edge[] } } }>('CreateArtifactFiles', CREATE_ARTIFACT_FILES, {
      input: {
        artifactFiles: batch.map((e) => ({ artifactID, name: e.path, md5: e.digest, artifactManifestID: manifestID })),
        storageLayout: 'V2',
      },
    });
    const edges = answer.createArtifactFiles?.files?.edges ?? [];
    if (edges.length !== batch.length)
      throw new ExportError(`GraphQL CreateArtifactFiles: ${edges.length} upload URLs for ${batch.length} files`, { isRetryable: false });
    for (let i = 0; i < batch.length; i++) {
      const entry = batch[i]!;
      const node = edges[i]!.node;
      if (node?.artifact?.id) births.set(entry.path, node.artifact.id);
      if (!node?.uploadUrl) continue; // the server has these bytes already
      const bytes = await readFile(entry.localPath);
      if (createHash('md5').update(bytes).digest('base64') !== entry.digest)
        throw new ExportError(`${entry.localPath} changed after logArtifact (its MD5 differs); log it again`, { isRetryable: false });
      await put(http, node.uploadUrl, bytes, headerObject(node.uploadHeaders), `upload ${a.name}/${entry.path}`);
    }
  }
  return births;
}

/** A PUT to a signed URL: only the headers the server asked for (no W&B credentials to the storage host). */
async function put(http: HttpClient, url: string, body: Uint8Array, headers: Record<string, string>, what: string): Promise<void> {
  await http.request({ method: 'PUT', url, body, what, headers: { 'Content-Type': 'application/octet-stream', ...headers }, bare: true });
}

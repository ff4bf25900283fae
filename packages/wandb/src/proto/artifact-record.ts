import { DIGEST_ALGORITHM, STORAGE_POLICY, type PreparedArtifact } from '../artifacts/manifest.js';
import { ArtifactField, ArtifactManifestField, ArtifactRecordField, KeyJsonField, ManifestEntryField, RecordField } from './fields.js';
import type { ProtoWriter } from './writer.js';

export interface ArtifactRunFields {
  runId: string;
  project: string;
  entity: string;
}

/**
 * An `artifact` record as wandb writes it for `run.log_artifact` in an offline run (`finalize` set, the
 * manifest's entries with the local file `wandb sync` uploads), or for `run.use_artifact` of a new artifact
 * (`user_created` and `use_after_commit`: sync marks the version as used by the run once it is committed).
 */
export function encodeArtifact(w: ProtoWriter, num: number, run: ArtifactRunFields, a: PreparedArtifact): void {
  w.optInt(RecordField.num, num);
  w.begin(ArtifactRecordField.artifact);
  w.optString(ArtifactField.runId, run.runId);
  w.optString(ArtifactField.project, run.project);
  w.optString(ArtifactField.entity, run.entity);
  w.optString(ArtifactField.type, a.type);
  w.optString(ArtifactField.name, a.name);
  w.optString(ArtifactField.digest, a.digest);
  w.optString(ArtifactField.metadata, a.metadata ?? '');
  // An input is what Python's `run.use_artifact(draft)` writes: not created by the run (sync sends no run
  // name with it), used by it once committed.
  w.optBool(ArtifactField.userCreated, a.input);
  w.optBool(ArtifactField.useAfterCommit, a.input);
  for (const alias of a.aliases) w.string(ArtifactField.aliases, alias);
  w.begin(ArtifactField.manifest);
  w.optInt(ArtifactManifestField.version, 1);
  w.optString(ArtifactManifestField.storagePolicy, STORAGE_POLICY);
  w.begin(ArtifactManifestField.storagePolicyConfig);
  w.optString(KeyJsonField.key, 'storageLayout');
  w.optString(KeyJsonField.valueJson, '"V2"');
  w.end();
  for (const e of a.entries) {
    w.begin(ArtifactManifestField.contents);
    w.optString(ManifestEntryField.path, e.path);
    w.optString(ManifestEntryField.digest, e.digest);
    w.optString(ManifestEntryField.ref, e.ref ?? '');
    w.optInt(ManifestEntryField.size, e.size);
    w.optString(ManifestEntryField.localPath, e.localPath);
    w.end();
  }
  w.end();
  w.optBool(ArtifactField.finalize, true);
  w.optString(ArtifactField.clientId, a.clientId);
  w.optString(ArtifactField.sequenceClientId, a.sequenceClientId);
  w.optString(ArtifactField.digestAlgorithm, DIGEST_ALGORITHM);
  w.end();
}

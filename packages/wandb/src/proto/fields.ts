/**
 * Field numbers of the `wandb_internal` messages we write, written down from the field tables in
 * `shared/specs/wandb-protocol.md` §2 (our own minimal definitions, not the upstream .proto).
 */
export const RecordField = {
  num: 1,
  history: 2,
  summary: 3,
  config: 5,
  files: 6,
  stats: 7,
  metric: 12,
  outputRaw: 13,
  run: 17,
  exit: 18,
  final: 20,
  header: 21,
} as const;

export const RunField = {
  runId: 1,
  entity: 2,
  project: 3,
  config: 4,
  runGroup: 6,
  jobType: 7,
  displayName: 8,
  notes: 9,
  tags: 10,
  host: 13,
  startingStep: 14,
  startTime: 17,
  resumed: 18,
} as const;

/** HistoryItem, SummaryItem, ConfigItem and StatsItem share these numbers. */
export const ItemField = { key: 1, nestedKey: 2, valueJson: 16 } as const;
/** SummaryRecord / ConfigRecord. */
export const UpdateField = { update: 1, remove: 2 } as const;
export const HistoryField = { item: 1, step: 2 } as const;
export const HistoryStepField = { num: 1 } as const;
export const ExitField = { exitCode: 1, runtime: 2 } as const;
export const HeaderField = { versionInfo: 1 } as const;
export const VersionInfoField = { producer: 1, minConsumer: 2 } as const;
export const TimestampField = { seconds: 1, nanos: 2 } as const;
export const StatsField = { statsType: 1, timestamp: 2, item: 3 } as const;
export const FilesField = { files: 1 } as const;
export const FilesItemField = { path: 1, policy: 2, type: 3 } as const;
export const OutputRawField = { outputType: 1, timestamp: 2, line: 3 } as const;
export const MetricField = { name: 1, globName: 2, stepMetric: 4, options: 6 } as const;
export const MetricOptionsField = { stepSync: 1, hidden: 2, defined: 3 } as const;

export const FilePolicy = { now: 0, end: 1, live: 2 } as const;
export const FileType = { other: 0, wandb: 1, media: 2 } as const;

/** `Record.artifact` (8) and `Record.use_artifact` (25), from wandb 0.31's `wandb_internal` descriptors. */
export const ArtifactRecordField = { artifact: 8 } as const;
export const ArtifactField = {
  runId: 1,
  project: 2,
  entity: 3,
  type: 4,
  name: 5,
  digest: 6,
  description: 7,
  metadata: 8,
  userCreated: 9,
  useAfterCommit: 10,
  aliases: 11,
  manifest: 12,
  finalize: 14,
  clientId: 15,
  sequenceClientId: 16,
  digestAlgorithm: 20,
} as const;
export const ArtifactManifestField = { version: 1, storagePolicy: 2, storagePolicyConfig: 3, contents: 4 } as const;
/** `StoragePolicyConfigItem` and `ExtraItem`. */
export const KeyJsonField = { key: 1, valueJson: 2 } as const;
export const ManifestEntryField = { path: 1, digest: 2, ref: 3, size: 4, mimetype: 5, localPath: 6, birthArtifactId: 7 } as const;

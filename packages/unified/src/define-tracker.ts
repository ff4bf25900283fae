import type { RunOutcome, Tracker } from '@metrics/core';
import {
  EXPORT_OK,
  confusionExamples,
  decodeWav,
  failure,
  prCurveExamples,
  RECORD_KINDS,
  SPECIFICATION_VERSION,
  type ExporterV1,
  type RecordKind,
  type RunInfo,
  type TrackingRecord,
} from '@metrics/core/backend';

/** A custom tracker in a few lines: say what it takes and how to write a batch. */
export interface TrackerDefinition<Native = unknown> {
  name: string;
  /** Record kinds it accepts (default: scalars only). */
  capabilities?: readonly RecordKind[];
  start?(run: RunInfo): void | Promise<void>;
  /** Write a batch. Throwing is fine: the failure is reported once, counted, and retried. */
  write(records: readonly TrackingRecord[]): void | Promise<void>;
  flush?(): void | Promise<void>;
  close?(outcome: RunOutcome): void | Promise<void>;
  runIds?(): Record<string, string>;
  native?(): Native;
}

/** Turns a definition into an exporter that never throws into the pipeline. */
export function defineTracker<Native = unknown>(def: TrackerDefinition<Native>): ExporterV1<Native | undefined> {
  return {
    specificationVersion: SPECIFICATION_VERSION,
    name: def.name,
    capabilities: new Set(def.capabilities ?? ['scalar']),
    async start(run) {
      try {
        await def.start?.(run);
        return EXPORT_OK;
      } catch (error) {
        return failure(error);
      }
    },
    async export(batch) {
      try {
        await def.write(batch);
        return EXPORT_OK;
      } catch (error) {
        return failure(error);
      }
    },
    async forceFlush() {
      await def.flush?.();
    },
    async shutdown(outcome) {
      await def.close?.(outcome);
    },
    runIds: () => def.runIds?.() ?? {},
    native: () => def.native?.(),
  };
}

/** Lets an already-built Tracker (with its own pipeline) receive the facade's records. */
export function trackerAsExporter(tracker: Tracker, name = 'tracker'): ExporterV1<Tracker> {
  const exporter = defineTracker<Tracker>({
    name,
    capabilities: RECORD_KINDS,
    write(records) {
      for (const r of records) {
        switch (r.kind) {
          case 'scalar':
            tracker.log({ [r.name]: r.value }, { step: r.step, wallTime: r.wallTime });
            break;
          case 'histogram':
            tracker.logHistogram(r.name, r.buckets ?? r.values ?? [], { step: r.step, wallTime: r.wallTime });
            break;
          case 'image':
            tracker.logImage(r.name, r.image, { step: r.step, wallTime: r.wallTime, caption: r.caption });
            break;
          case 'text':
            tracker.logText(r.name, r.text, { step: r.step, wallTime: r.wallTime });
            break;
          case 'hparams':
            tracker.logHyperparams(r.params, { metrics: r.metrics });
            break;
          case 'config':
            tracker.logConfig(r.config);
            break;
          case 'summary':
            tracker.setSummary(r.values);
            break;
          case 'artifact':
            tracker.logArtifact(r.localPath, { artifactPath: r.artifactPath, type: r.type, name: r.name, aliases: r.aliases, input: r.input });
            break;
          // The structured kinds arrive computed; the inner tracker gets inputs that compute the same.
          case 'table':
            tracker.logTable(r.name, { columns: r.columns, rows: r.rows }, { step: r.step, wallTime: r.wallTime });
            break;
          case 'pr_curve':
            tracker.logPrCurve(r.name, { ...prCurveExamples(r), numThresholds: r.thresholds.length }, { step: r.step, wallTime: r.wallTime });
            break;
          case 'confusion_matrix':
            tracker.logConfusionMatrix(r.name, { classNames: r.classNames, ...confusionExamples(r.counts) }, { step: r.step, wallTime: r.wallTime });
            break;
          case 'audio':
            tracker.logAudio(
              r.name,
              { sampleRate: r.sampleRate, channels: r.channels, samples: decodeWav(r.wav) },
              { step: r.step, wallTime: r.wallTime, ...(r.caption !== undefined ? { caption: r.caption } : {}) },
            );
            break;
          case 'tags':
            tracker.setTags(r.tags);
            break;
          case 'note':
            tracker.setNote(r.text);
            break;
          case 'dataset': {
            const { kind: _kind, wallTime: _wallTime, ...dataset } = r;
            tracker.logDataset(dataset);
            break;
          }
        }
      }
    },
    flush: () => tracker.flush(),
    close: async (outcome) => {
      await tracker.close(outcome);
    },
    runIds: () => {
      const ids: Record<string, string> = {};
      for (const [k, v] of Object.entries(tracker.runHandle().runIds)) for (const [k2, v2] of Object.entries(v)) ids[`${k}.${k2}`] = v2;
      return ids;
    },
    native: () => tracker,
  });
  // Its child runs are the inner tracker's children (a tracker-like object without `child` has none).
  const withChildren = exporter as ExporterV1<Tracker>;
  if (typeof tracker.child === 'function')
    withChildren.child = ({ name: childName, jobType }) => trackerAsExporter(tracker.child(childName, { jobType }), name);
  return withChildren;
}

export function isExporter(value: unknown): value is ExporterV1 {
  const v = value as Partial<ExporterV1> | null;
  return !!v && typeof v === 'object' && typeof v.export === 'function' && typeof v.specificationVersion === 'string';
}

export function isTracker(value: unknown): value is Tracker {
  const v = value as Partial<Tracker> | null;
  return !!v && typeof v === 'object' && typeof v.log === 'function' && typeof v.flush === 'function' && typeof v.close === 'function';
}

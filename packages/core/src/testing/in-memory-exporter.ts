import {
  EXPORT_OK,
  SPECIFICATION_VERSION,
  RECORD_KINDS,
  type ChildRun,
  type ExporterV1,
  type ExportResult,
  type RecordKind,
  type RunInfo,
  type RunOutcome,
  type TrackingRecord,
} from '../spec.js';

/** Keeps everything it is given, in order. For tests and as the pipeline-only benchmark sink. */
export class InMemoryExporter implements ExporterV1<InMemoryExporter> {
  readonly specificationVersion = SPECIFICATION_VERSION;
  readonly capabilities: ReadonlySet<RecordKind>;
  readonly records: TrackingRecord[] = [];
  run: RunInfo | undefined;
  outcome: RunOutcome | undefined;
  starts = 0;
  exports = 0;
  flushes = 0;
  shutdowns = 0;
  /** When false, records are counted but not kept (benchmarks). */
  keep = true;
  count = 0;
  /** Inject a result (or a hang, by returning a never-settling promise) for the next export calls. */
  failWith: ((batch: readonly TrackingRecord[]) => ExportResult | Promise<ExportResult>) | undefined;
  /** Set on an exporter made by `child()`: what the parent was told. */
  childRun: ChildRun | undefined;
  /** The exporters `child()` made (`Tracker.child`), in order. */
  readonly children: InMemoryExporter[] = [];

  constructor(
    readonly name = 'memory',
    capabilities: readonly RecordKind[] = RECORD_KINDS,
  ) {
    this.capabilities = new Set(capabilities);
  }

  async start(run: RunInfo): Promise<ExportResult> {
    this.starts++;
    this.run = run;
    return EXPORT_OK;
  }

  async export(batch: readonly TrackingRecord[]): Promise<ExportResult> {
    this.exports++;
    if (this.failWith) {
      const r = await this.failWith(batch);
      if (!r.ok) return r;
    }
    this.count += batch.length;
    if (this.keep) for (const r of batch) this.records.push(r);
    return EXPORT_OK;
  }

  async forceFlush(): Promise<void> {
    this.flushes++;
  }

  async shutdown(outcome: RunOutcome): Promise<void> {
    this.shutdowns++;
    this.outcome = outcome;
  }

  runIds(): Record<string, string> {
    return { runName: this.run?.runName ?? '' };
  }

  /** Another in-memory exporter, of the same name and capabilities, for a child run. */
  child(run: ChildRun): InMemoryExporter {
    const child = new InMemoryExporter(this.name, [...this.capabilities]);
    child.childRun = run;
    this.children.push(child);
    return child;
  }

  native(): InMemoryExporter {
    return this;
  }

  scalars(name?: string): { name: string; value: number; step: number }[] {
    return this.records
      .filter((r) => r.kind === 'scalar' && (name === undefined || r.name === name))
      .map((r) => {
        const s = r as Extract<TrackingRecord, { kind: 'scalar' }>;
        return { name: s.name, value: s.value, step: s.step };
      });
  }
}

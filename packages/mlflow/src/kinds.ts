import type { ConfusionMatrixRecord, PrCurveRecord, TableCell } from '@metrics/core/backend';

/**
 * The structured kinds as MLflow tables: the JSON `mlflow.log_table` writes (pandas' `orient="split"`
 * without the index, so `mlflow.load_table` reads it back), one file per name and step, listed in the
 * run's `mlflow.loggedArtifacts` tag, which is how `load_table` and the UI find tables.
 */

/** `{"columns": [...], "data": [[...], ...]}`. */
export function tableJson(columns: readonly string[], rows: readonly (readonly TableCell[])[]): Uint8Array {
  return Buffer.from(JSON.stringify({ columns, data: rows }));
}

/** Where a table of `name` at `step` goes (a path per step: a later table never overwrites an earlier one). */
export function tablePath(key: string, step: number): string {
  return `tables/${key}/step_${step}.json`;
}

/** One row per threshold, TensorBoard's six statistics beside it. */
export function prCurveTable(r: PrCurveRecord): { columns: string[]; rows: TableCell[][] } {
  const columns = ['threshold', 'precision', 'recall', 'true_positives', 'false_positives', 'true_negatives', 'false_negatives'];
  const rows = r.thresholds.map((t, i) => [
    t,
    r.precision[i]!,
    r.recall[i]!,
    r.truePositives[i]!,
    r.falsePositives[i]!,
    r.trueNegatives[i]!,
    r.falseNegatives[i]!,
  ]);
  return { columns, rows };
}

/** One row per (actual, predicted) pair, as W&B's confusion-matrix table lays it out. */
export function confusionTable(r: ConfusionMatrixRecord): { columns: string[]; rows: TableCell[][] } {
  const rows: TableCell[][] = [];
  r.counts.forEach((counts, a) => counts.forEach((n, p) => rows.push([r.classNames[a]!, r.classNames[p]!, n])));
  return { columns: ['actual', 'predicted', 'count'], rows };
}

/** MLflow's tag value limit. */
const TAG_LIMIT = 8000;

/**
 * The `mlflow.loggedArtifacts` tag: a JSON list of `{"path": …, "type": "table"}` (written with Python's
 * `json.dumps` spacing, which `load_table`'s LIKE filter expects). When the list outgrows the tag's
 * 8000 characters the oldest entries leave it (their files stay in the run's artifacts).
 */
export class LoggedTables {
  private entries: { path: string; type: string }[] = [];
  private readonly known = new Set<string>();
  /** Entries dropped from the tag to keep it under the limit. */
  dropped = 0;

  /** Seeds the list from a resumed run's tag (ignored when it is not the expected JSON). */
  seed(tagValue: string | undefined): void {
    if (!tagValue) return;
    try {
      const parsed = JSON.parse(tagValue) as unknown;
      if (!Array.isArray(parsed)) return;
      for (const e of parsed)
        if (e && typeof e.path === 'string' && typeof e.type === 'string' && !this.known.has(e.path)) {
          this.known.add(e.path);
          this.entries.push({ path: e.path, type: e.type });
        }
    } catch {
      // not ours to repair
    }
  }

  /** Adds a table path; true when the tag changed. */
  add(path: string): boolean {
    if (this.known.has(path)) return false;
    this.known.add(path);
    this.entries.push({ path, type: 'table' });
    return true;
  }

  tagValue(): string {
    let text = this.render();
    while (text.length > TAG_LIMIT && this.entries.length > 1) {
      this.entries.shift();
      this.dropped++;
      text = this.render();
    }
    return text;
  }

  private render(): string {
    return `[${this.entries.map((e) => `{"path": ${JSON.stringify(e.path)}, "type": ${JSON.stringify(e.type)}}`).join(', ')}]`;
  }
}

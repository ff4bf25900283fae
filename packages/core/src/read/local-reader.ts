import { InvalidCallError } from '../errors.js';
import { didYouMeanHint } from '../did-you-mean.js';
import { selectMetrics, type MetricSelection } from './select.js';
import type { MetricPoint, RunReader, RunSummary } from './types.js';

/** One run read from local files: its summary and each metric's points, ordered by step. */
export interface LocalRunContents<R extends RunSummary> {
  run: R;
  series: Map<string, MetricPoint[]>;
}

/**
 * The read operations every reader of local run files shares (TensorBoard logdirs, W&B run directories):
 * a backend says how to list its runs and read one (`contents`); lookups, "did you mean" errors and metric
 * selection by prefix, glob or category live here once.
 */
export abstract class LocalRunReader<R extends RunSummary> implements RunReader {
  /** How errors name a run and a metric ("run" / "scalar" for TensorBoard, "W&B run" / "metric" for W&B). */
  protected abstract readonly runNoun: string;
  protected abstract readonly metricNoun: string;

  abstract listRuns(): Promise<R[]>;

  /** The run `run` read whole; throws InvalidCallError naming the closest run when there is none. */
  protected abstract contents(run: string): LocalRunContents<R>;

  async getRun(run: string): Promise<R> {
    return this.contents(run).run;
  }

  /** Every point of `metric` in `run`, ordered by step (then time). */
  async getMetricHistory(run: string, metric: string): Promise<MetricPoint[]> {
    const { series } = this.contents(run);
    const points = series.get(metric);
    if (!points)
      throw new InvalidCallError('getMetricHistory', `${this.runNoun} "${run}" has no ${this.metricNoun} "${metric}"${didYouMeanHint(metric, series.keys())}`);
    return points;
  }

  metricHistory(run: string, metric: string): Promise<MetricPoint[]> {
    return this.getMetricHistory(run, metric);
  }

  /** The latest value of each metric of `run` that matches `selection` (prefix, glob, category). */
  async runMetrics(run: string, selection: MetricSelection = {}): Promise<Record<string, number>> {
    return selectMetrics(this.contents(run).run.latestMetrics, selection);
  }

  /** The whole history of each metric of `run` that matches `selection`. */
  async runMetricHistories(run: string, selection: MetricSelection = {}): Promise<Record<string, MetricPoint[]>> {
    return selectMetrics(Object.fromEntries(this.contents(run).series), selection);
  }
}

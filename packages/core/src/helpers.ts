import { randomBytes } from 'node:crypto';
import { categoryOf } from './conventions/names.js';

/**
 * The one default run name: `<prefix>-YYYYMMDD-HHMMSS-<6 random hex>` in local time, like W&B's random
 * suffix, so two runs started in the same second do not share a name. Every default name is made here.
 */
export function defaultRunName(prefix = 'run', date: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}-${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`;
  return `${prefix}-${stamp}-${randomBytes(3).toString('hex')}`;
}

/** `withPrefix('validation', { loss: 1 })` → `{ 'validation/loss': 1 }`. */
export function withPrefix<T>(prefix: string, values: Readonly<Record<string, T>>): Record<string, T> {
  const p = prefix.replace(/\/+$/, '');
  const out: Record<string, T> = {};
  for (const key of Object.keys(values)) out[p ? `${p}/${key}` : key] = values[key]!;
  return out;
}

/** Compiles a glob over `/`-separated names: `*` matches within a segment, `**` across segments. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        re += '.*';
        i++;
        if (glob[i + 1] === '/') i++, (re += '(?:/)?');
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Names matching a glob, in input order. */
export function searchMetrics(names: Iterable<string>, glob: string): string[] {
  const re = globToRegExp(glob);
  return [...names].filter((n) => re.test(n));
}

/** Groups names (or a record's keys) by their category, the first segment. */
export function groupByCategory<T>(values: Readonly<Record<string, T>>): Record<string, Record<string, T>> {
  const out: Record<string, Record<string, T>> = {};
  for (const key of Object.keys(values)) (out[categoryOf(key)] ??= {})[key] = values[key]!;
  return out;
}

export type Aggregation = 'mean' | 'min' | 'max' | 'last' | 'sum' | 'ema';

/** Running aggregate of one metric over a window, in constant memory. */
export class WindowAggregate {
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  last = NaN;
  ema = NaN;
  constructor(private readonly emaAlpha = 0.1) {}

  add(value: number): void {
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    this.last = value;
    this.ema = Number.isNaN(this.ema) ? value : this.emaAlpha * value + (1 - this.emaAlpha) * this.ema;
  }

  value(how: Aggregation): number {
    switch (how) {
      case 'mean':
        return this.count ? this.sum / this.count : NaN;
      case 'min':
        return this.min;
      case 'max':
        return this.max;
      case 'last':
        return this.last;
      case 'sum':
        return this.sum;
      case 'ema':
        return this.ema;
    }
  }

  /** Starts a new window; the EMA carries over (it is a smoothing across windows). */
  reset(): void {
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = -Infinity;
    this.last = NaN;
  }
}

/**
 * Aggregates high-frequency values between logging intervals: `add` every step, `drain` every N steps
 * to get one value per name (by its aggregation), so nothing logged between intervals is lost.
 */
export class MetricAggregator {
  private readonly windows = new Map<string, WindowAggregate>();
  constructor(
    private readonly how: Aggregation | ((name: string) => Aggregation) = 'mean',
    private readonly emaAlpha = 0.1,
  ) {}

  add(values: Readonly<Record<string, number>>): void {
    for (const key of Object.keys(values)) {
      const v = values[key]!;
      let w = this.windows.get(key);
      if (!w) this.windows.set(key, (w = new WindowAggregate(this.emaAlpha)));
      w.add(v);
    }
  }

  get size(): number {
    let n = 0;
    for (const w of this.windows.values()) if (w.count > 0) n++;
    return n;
  }

  /** One value per name seen since the last drain; resets the windows. */
  drain(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, w] of this.windows) {
      if (w.count === 0) continue;
      out[name] = w.value(typeof this.how === 'function' ? this.how(name) : this.how);
      w.reset();
    }
    return out;
  }
}

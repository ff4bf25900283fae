import type { HyperparamValue } from '@metrics/core';
import type { ScalarPoint } from '@metrics/core/backend';

/**
 * MLflow keys: `^[/\w.\- :]*$`, ≤ 250 chars, equal to their own normpath (no `a//b`, `./`, `..`, leading or
 * trailing `/`). Core's conventional names already pass; anything else is rewritten: disallowed characters
 * become `_` (`val/AR@100` → `val/AR_100`), empty and dot segments are dropped.
 */
export function sanitizeMlflowKey(key: string): string {
  const segments = key
    .replace(/[^/\w.\- ]/g, '_')
    .split('/')
    .filter((s) => s !== '' && s !== '.' && s !== '..');
  const out = segments.join('/').slice(0, 250).replace(/\/+$/, '');
  return out.length > 0 ? out : '_';
}

/** NaN and ±Infinity as the strings the server parses (a bare NaN is silently stored as 0, §1.6). */
export function encodeMetricValue(v: number): number | string {
  if (v - v === 0) return v;
  return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

export interface MlflowMetric {
  key: string;
  value: number | string;
  timestamp: number;
  step: number;
}
export interface KeyValue {
  key: string;
  value: string;
}

export function toMetric(p: ScalarPoint, sanitize: (k: string) => string): MlflowMetric {
  return { key: sanitize(p.name), value: encodeMetricValue(p.value), timestamp: Math.max(0, Math.trunc(p.wallTime)), step: Math.trunc(p.step) };
}

export function paramValue(v: HyperparamValue | unknown): string {
  const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
  return s.length > 6000 ? s.slice(0, 6000) : s;
}

export const LIMITS = { metrics: 1000, params: 100, tags: 100, total: 1000, bytes: 900_000 } as const;

export interface LogBatchBody {
  metrics: MlflowMetric[];
  params: KeyValue[];
  tags: KeyValue[];
  /** Indices of the source records this request carries, for `remaining` on partial failure. */
  records: Set<number>;
}

/**
 * Packs like the Python client (§1.8): params and tags in chunks of 100, metrics filling each request up to
 * 1000 items in all, and every body kept under ~0.9 MB. Each item carries the index of its source record,
 * so a failed request can report the records not yet delivered. (Re-sending a delivered item is harmless:
 * the server drops identical metric rows and accepts a param logged again with the same value.)
 */
export function packLogBatches(
  metrics: { m: MlflowMetric; i: number }[],
  params: { kv: KeyValue; i: number }[],
  tags: { kv: KeyValue; i: number }[],
): LogBatchBody[] {
  const out: LogBatchBody[] = [];
  let mi = 0;
  let pi = 0;
  let ti = 0;
  while (mi < metrics.length || pi < params.length || ti < tags.length) {
    const body: LogBatchBody = { metrics: [], params: [], tags: [], records: new Set() };
    let bytes = 100;
    const take = (size: number, i: number) => {
      bytes += size;
      body.records.add(i);
    };
    while (pi < params.length && body.params.length < LIMITS.params && bytes < LIMITS.bytes) {
      const p = params[pi++]!;
      body.params.push(p.kv);
      take(p.kv.key.length + p.kv.value.length + 30, p.i);
    }
    while (ti < tags.length && body.tags.length < LIMITS.tags && bytes < LIMITS.bytes) {
      const t = tags[ti++]!;
      body.tags.push(t.kv);
      take(t.kv.key.length + t.kv.value.length + 30, t.i);
    }
    while (mi < metrics.length && body.metrics.length + body.params.length + body.tags.length < LIMITS.total && bytes < LIMITS.bytes) {
      const m = metrics[mi++]!;
      body.metrics.push(m.m);
      take(m.m.key.length + 80, m.i);
    }
    out.push(body);
  }
  return out;
}

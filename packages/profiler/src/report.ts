import { toSegment } from '@metrics/core';
import type { OperationSnapshot } from './operation-stats.js';

export interface BottleneckEntry {
  name: string;
  category: string;
  totalMs: number;
  selfMs: number;
  /** Share of the profiler's wall time, 0–100 (nested operations overlap, so shares of totals can add up past 100). */
  totalSharePercent: number;
  selfSharePercent: number;
}

export interface ProfileReport {
  /** Wall time since the profiler was created or reset, ms. */
  wallTimeMs: number;
  operations: OperationSnapshot[];
  byTotal: BottleneckEntry[];
  bySelf: BottleneckEntry[];
  droppedTraceEvents: number;
}

export function buildReport(operations: OperationSnapshot[], wallTimeMs: number, top: number, droppedTraceEvents: number): ProfileReport {
  const share = (ms: number) => (wallTimeMs > 0 ? (ms / wallTimeMs) * 100 : 0);
  const entry = (o: OperationSnapshot): BottleneckEntry => ({
    name: o.name,
    category: o.category,
    totalMs: o.totalMs,
    selfMs: o.selfMs,
    totalSharePercent: share(o.totalMs),
    selfSharePercent: share(o.selfMs),
  });
  const sorted = [...operations].sort((a, b) => b.totalMs - a.totalMs);
  return {
    wallTimeMs,
    operations: sorted,
    byTotal: sorted.slice(0, top).map(entry),
    bySelf: [...operations]
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, top)
      .map(entry),
    droppedTraceEvents,
  };
}

/** A fixed-width table for people. */
export function formatReportTable(report: ProfileReport): string {
  const header = ['operation', 'category', 'calls', 'errors', 'total ms', 'self ms', 'mean ms', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', '% wall'];
  const rows = report.operations.map((o) => [
    o.name,
    String(o.category),
    String(o.count),
    String(o.errors),
    ms(o.totalMs),
    ms(o.selfMs),
    ms(o.meanMs),
    ms(o.p50Ms),
    ms(o.p95Ms),
    ms(o.p99Ms),
    ms(o.maxMs),
    report.wallTimeMs > 0 ? ((o.totalMs / report.wallTimeMs) * 100).toFixed(1) : '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const out = [`Profile over ${ms(report.wallTimeMs)} ms wall time`, line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  if (report.bySelf.length > 0) {
    out.push('', 'Top by self time:');
    report.bySelf.forEach((b, i) => out.push(`  ${i + 1}. ${b.name} (${b.category}) ${ms(b.selfMs)} ms, ${b.selfSharePercent.toFixed(1)} % of wall`));
  }
  if (report.droppedTraceEvents > 0) out.push(`(${report.droppedTraceEvents} trace events dropped: trace buffer full)`);
  return out.join('\n');
}

function ms(n: number): string {
  return n >= 100 ? n.toFixed(1) : n >= 1 ? n.toFixed(2) : n.toFixed(4);
}

const MB = 1024 * 1024;

/**
 * `profiling/timing/<op>` (mean ms), `profiling/memory/<op>` (mean heap-used delta, MB, when measured),
 * `profiling/bottlenecks/bottleneck_<n>` (total ms of the n-th costliest operation by total time).
 * Op names become one `[a-z0-9_]` segment; two ops that collide get their category appended.
 */
export function reportToMetrics(report: ProfileReport): Record<string, number> {
  const out: Record<string, number> = {};
  const segments = segmentNames(report.operations);
  for (const o of report.operations) {
    const seg = segments.get(o)!;
    out[`profiling/timing/${seg}`] = o.meanMs;
    if (o.memory) out[`profiling/memory/${seg}`] = o.memory.meanHeapUsedBytes / MB;
  }
  report.byTotal.forEach((b, i) => {
    out[`profiling/bottlenecks/bottleneck_${i}`] = b.totalMs;
  });
  return out;
}

function segmentNames(ops: OperationSnapshot[]): Map<OperationSnapshot, string> {
  const counts = new Map<string, number>();
  for (const o of ops) counts.set(toSegment(o.name), (counts.get(toSegment(o.name)) ?? 0) + 1);
  const out = new Map<OperationSnapshot, string>();
  for (const o of ops) {
    const plain = toSegment(o.name);
    out.set(o, counts.get(plain)! > 1 ? toSegment(`${o.name}_${o.category}`) : plain);
  }
  return out;
}

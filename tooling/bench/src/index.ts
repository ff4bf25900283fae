import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One figure in bench-results.json. */
export interface BenchFigure {
  package: string;
  name: string;
  value: number;
  unit: string;
  peer?: string;
  peerValue?: number;
  /** value / peerValue, oriented so that > 1 means we are better (the bench decides). */
  ratio?: number;
}

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const resultsDir = join(repoRoot, '.bench');

/** Prints the figure and appends it to `.bench/<package>.jsonl`; `pnpm bench` gathers them into bench-results.json. */
export function report(figure: BenchFigure): void {
  const peer =
    figure.peer !== undefined && figure.peerValue !== undefined
      ? `   | ${figure.peer}: ${fmt(figure.peerValue)} ${figure.unit}   ratio ${figure.ratio?.toFixed(1)}×`
      : '';
  console.log(`${figure.package.padEnd(22)} ${figure.name.padEnd(48)} ${fmt(figure.value).padStart(14)} ${figure.unit}${peer}`);
  mkdirSync(resultsDir, { recursive: true });
  appendFileSync(join(resultsDir, `${figure.package.replace('/', '__')}.jsonl`), JSON.stringify(figure) + '\n');
}

function fmt(n: number): string {
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString('en-US');
  return n.toPrecision(4);
}

/** Median of `rounds` timings of `fn` (each round runs `fn` once); returns nanoseconds per `opsPerRound`. */
export async function nsPerOp(fn: () => unknown | Promise<unknown>, opsPerRound: number, rounds = 15): Promise<number> {
  const samples: number[] = [];
  await fn(); // warm-up
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - t0) / opsPerRound);
  }
  return median(samples);
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export { loggingLoop, neverYieldLoop, type NeverYieldResult } from './never-yield.js';

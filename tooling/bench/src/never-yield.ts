/**
 * The loop issue 14 is about: a training loop that calls `log()` and never awaits, so nothing the pipeline
 * schedules runs until it ends. Every bench that measures a logging path reports it beside its yielding
 * figure, with the tracker's default options.
 */
export interface NeverYieldResult {
  scalars: number;
  /** Wall time of the loop per scalar logged (the caller's cost). */
  callerNs: number;
  /** The longest single `log()` call. */
  maxCallMs: number;
  /** Wall time of the loop. */
  loopSecs: number;
}

/**
 * Logs `scalars` values, `perCall` per `log()` (names `training/metric_<i>`), one step per call, without
 * yielding; times every call.
 */
export function neverYieldLoop(
  tracker: { log(values: Record<string, number>, options?: { step?: number }): void },
  scalars: number,
  perCall = 10,
  firstStep = 0,
): NeverYieldResult {
  const names = Array.from({ length: perCall }, (_, i) => `training/metric_${i}`);
  const values: Record<string, number> = {};
  let maxCall = 0n;
  const calls = Math.ceil(scalars / perCall);
  const t0 = process.hrtime.bigint();
  for (let call = 0; call < calls; call++) {
    const step = firstStep + call;
    for (let i = 0; i < perCall; i++) values[names[i]!] = Math.sin(step + i);
    const c0 = process.hrtime.bigint();
    tracker.log(values, { step });
    const spent = process.hrtime.bigint() - c0;
    if (spent > maxCall) maxCall = spent;
  }
  const loopNs = Number(process.hrtime.bigint() - t0);
  const logged = calls * perCall;
  return { scalars: logged, callerNs: loopNs / logged, maxCallMs: Number(maxCall) / 1e6, loopSecs: loopNs / 1e9 };
}

/**
 * `neverYieldLoop` beside its yielding twin: `yieldEvery` 0 logs all `scalars` without awaiting; otherwise
 * it awaits a macrotask (as a training loop's awaits would) every `yieldEvery` calls. Caller cost and the
 * longest call count the `log()` calls only, not the waits.
 */
export async function loggingLoop(
  tracker: { log(values: Record<string, number>, options?: { step?: number }): void },
  scalars: number,
  yieldEvery: number,
  perCall = 10,
): Promise<NeverYieldResult> {
  const calls = Math.ceil(scalars / perCall);
  const chunk = yieldEvery > 0 ? yieldEvery : calls;
  let loopSecs = 0;
  let maxCallMs = 0;
  for (let call = 0; call < calls; call += chunk) {
    const part = neverYieldLoop(tracker, Math.min(chunk, calls - call) * perCall, perCall, call);
    loopSecs += part.loopSecs;
    maxCallMs = Math.max(maxCallMs, part.maxCallMs);
    if (yieldEvery > 0) await new Promise((r) => setImmediate(r));
  }
  const logged = calls * perCall;
  return { scalars: logged, callerNs: (loopSecs * 1e9) / logged, maxCallMs, loopSecs };
}

import type { Tracker } from './spec.js';

/**
 * Runs `fn` and closes the tracker with the outcome `await using` cannot see: FINISHED when `fn`
 * returns, FAILED (with the error) when it throws, and the error is rethrown unchanged. Resolves to
 * what `fn` returned.
 *
 *     await runTracked(tracker, async (t) => { for (…) t.log({ 'training/loss': loss }); });
 */
export async function runTracked<T, R extends Pick<Tracker, 'close'>>(tracker: R, fn: (tracker: R) => T | Promise<T>): Promise<T> {
  if (typeof fn !== 'function')
    throw new TypeError('runTracked(tracker, fn) needs the function to run as its second argument, e.g. runTracked(tracker, async (t) => { … })');
  if (tracker === null || typeof tracker !== 'object' || typeof tracker.close !== 'function')
    throw new TypeError('runTracked(tracker, fn) needs a tracker (from createTracker or createExperimentTracker) as its first argument');
  let result: T;
  try {
    result = await fn(tracker);
  } catch (error) {
    await closeQuietly(tracker.close({ status: 'failed', error }));
    throw error;
  }
  await tracker.close({ status: 'finished' });
  return result;
}

/** The user's error is what matters: a close that rejects (it should not) must not replace it. */
async function closeQuietly(closing: Promise<unknown>): Promise<void> {
  try {
    await closing;
  } catch {
    // reported by the tracker itself
  }
}

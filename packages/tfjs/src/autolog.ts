import { CustomCallback, type CustomCallbackArgs, LayersModel, Sequential } from '@tensorflow/tfjs';
import { TrackerCallback } from './callback.js';
import { checkArguments, type TrackerCallbackOptions } from './options.js';
import type { TrackerLike } from './tracker-like.js';

export interface Autolog {
  /** Restores `fit` and `fitDataset`; later fits are no longer logged. Idempotent. */
  undo(): void;
  /** The callbacks made so far, one per fit. */
  readonly callbacks: readonly TrackerCallback[];
}

type FitLike = (this: LayersModel, ...args: unknown[]) => Promise<unknown>;
type CallbacksArg = CustomCallbackArgs | CustomCallbackArgs[] | { setParams(p: unknown): void } | { setParams(p: unknown): void }[] | undefined;

let active: Autolog | undefined;

function isCallbackObject(c: unknown): c is { setParams(p: unknown): void } {
  return typeof (c as { setParams?: unknown } | null)?.setParams === 'function';
}

/**
 * Ours first, then the user's. tfjs takes a list of callback objects as it is only when its first entry is one,
 * and wraps a list of plain `{ onEpochEnd … }` objects; so plain objects are wrapped here, the way tfjs would.
 */
function withOurs(ours: TrackerCallback, given: CallbacksArg): unknown[] {
  const list = given === undefined ? [] : Array.isArray(given) ? given : [given];
  return [ours, ...list.map((c) => (isCallbackObject(c) ? c : new CustomCallback(c as CustomCallbackArgs)))];
}

function hasOurs(given: CallbacksArg): boolean {
  return (Array.isArray(given) ? given : [given]).some((c) => c instanceof TrackerCallback);
}

/**
 * Patches `fit` and `fitDataset` of `tf.LayersModel` (and `tf.Sequential`, which has its own) so every fit
 * logs to `tracker` through a `trackerCallback` with these options, with no change to the training code.
 * One autolog at a time; `undo()` restores the originals.
 */
export function autolog(tracker: TrackerLike, options: Omit<TrackerCallbackOptions, 'model'> = {}): Autolog {
  checkArguments('autolog(tracker, options)', tracker, options);
  if ((options as TrackerCallbackOptions).model !== undefined)
    throw new TypeError('autolog(tracker, options): options.model is not allowed; every fitted model is logged');
  if (active) throw new Error('autolog(): already active; call undo() on the previous one first');
  const callbacks: TrackerCallback[] = [];
  const restore: (() => void)[] = [];
  // The position of the args object: fit(x, y, args), fitDataset(dataset, args).
  for (const proto of [LayersModel.prototype, Sequential.prototype] as unknown as Record<string, FitLike>[])
    for (const [method, argIndex] of [
      ['fit', 2],
      ['fitDataset', 1],
    ] as const) {
      if (!Object.hasOwn(proto, method)) continue;
      const original = proto[method]!;
      const patched: FitLike = function (this: LayersModel, ...args: unknown[]) {
        const fitArgs = { ...((args[argIndex] as Record<string, unknown> | undefined) ?? {}) };
        const given = fitArgs.callbacks as CallbacksArg;
        // A Sequential's fit calls its inner model's fit with the same arguments: one callback, not two.
        if (!hasOurs(given)) {
          const ours = new TrackerCallback(tracker, { ...options, model: this });
          callbacks.push(ours);
          fitArgs.callbacks = withOurs(ours, given);
          args[argIndex] = fitArgs;
        }
        return original.apply(this, args);
      };
      proto[method] = patched;
      restore.push(() => {
        if (proto[method] === patched) proto[method] = original;
      });
    }
  const handle: Autolog = {
    callbacks,
    undo() {
      for (const r of restore.splice(0)) r();
      if (active === handle) active = undefined;
    },
  };
  active = handle;
  return handle;
}

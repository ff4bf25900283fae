import { MAX_STEP } from '../validation.js';

/**
 * The tracker's one step clock. `next` = (highest step seen) + 1 — or the resumed handle's step, or 0 —
 * capped at 2^53−1. "Seen" is every step a call was logged at, so logging step 10 then step 5 leaves
 * `next` at 11. A `log()` without a step is logged at `next`; a media call (histogram, image, text)
 * without a step attaches to the latest step, `current` (0 before any), and does not move the clock.
 */
export class StepClock {
  /** Highest step seen (−1: none). */
  private maxSeen: number;

  constructor(start: number) {
    this.maxSeen = Math.min(Math.max(0, start), MAX_STEP) - 1;
  }

  /** The step a `log()` without one is logged at. */
  get next(): number {
    return Math.min(this.maxSeen + 1, MAX_STEP);
  }

  /** The step a media call without one attaches to. */
  get current(): number {
    return Math.max(0, this.maxSeen);
  }

  /** True once 2^53−1 was seen: later step-less calls stay there. */
  get atMax(): boolean {
    return this.maxSeen >= MAX_STEP;
  }

  /** A step a call was logged at. */
  see(step: number): void {
    if (step > this.maxSeen) this.maxSeen = step;
  }
}

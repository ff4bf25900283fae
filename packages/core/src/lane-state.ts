/**
 * Where one exporter's lane is in its life. Replaces a handful of booleans (started, dead, closing…) whose
 * combinations were implicit:
 *
 *   starting ──start ok──▶ running ──close()──▶ closing
 *      │                                          ▲
 *      ├──start failed for good──▶ failed ────────┤
 *      └──────────────────close()─────────────────┘
 *
 * `closing` means close() is past waiting: no more retries, records left in memory are spooled or counted.
 */
export type LanePhase = 'starting' | 'running' | 'failed' | 'closing';

const NEXT: Readonly<Record<LanePhase, readonly LanePhase[]>> = {
  starting: ['running', 'failed', 'closing'],
  running: ['closing'],
  failed: ['closing'],
  closing: [],
};

export class LaneState {
  private current: LanePhase = 'starting';
  private runStarted = false;

  get phase(): LanePhase {
    return this.current;
  }

  /** The exporter's run was started (true from `running` on, also once closing). */
  get started(): boolean {
    return this.runStarted;
  }

  /** The run can never start: records go to the spool (policy `spill`) or count as failed. */
  get failed(): boolean {
    return this.current === 'failed';
  }

  get closing(): boolean {
    return this.current === 'closing';
  }

  /** Exports may be attempted (and retried). */
  get active(): boolean {
    return this.current === 'starting' || this.current === 'running';
  }

  /** The exporter's run started (by `start` or `startSync`, whichever settles first). */
  startSucceeded(): void {
    this.runStarted = true;
    if (this.current === 'starting') this.current = 'running';
  }

  /** Moves to `next`; staying in the same phase is a no-op (a start may be reported twice: sync and async). */
  to(next: LanePhase): void {
    if (next === this.current) return;
    if (!NEXT[this.current].includes(next)) throw new Error(`exporter lane: no transition ${this.current} → ${next}`);
    if (next === 'running') return this.startSucceeded();
    this.current = next;
  }
}

import type { TrackingRecord } from './spec.js';

type Batch = readonly TrackingRecord[];

/**
 * One lane's in-memory queue of sealed batches, oldest first. A batch being exported stays in the queue
 * (counted in `size`, so memory stays bounded) and is marked in flight until its export settles. Up to the
 * lane's limit of batches may be in flight at once; inline writes take the oldest batch that is not.
 */
export class LaneQueue {
  private items: Batch[] = [];
  private readonly flying = new Set<Batch>();
  /** A batch in flight that must be exported alone (see `claim`). */
  private flyingAlone = false;
  /** Records queued (in flight included). */
  size = 0;

  get length(): number {
    return this.items.length;
  }

  /** Batches being exported now. */
  get inFlight(): number {
    return this.flying.size;
  }

  /** A batch that must be exported alone is in flight: nothing else may be claimed. */
  get blocked(): boolean {
    return this.flyingAlone;
  }

  /** Batches waiting for an export. */
  get idle(): number {
    return this.items.length - this.flying.size;
  }

  push(batch: Batch): void {
    this.items.push(batch);
    this.size += batch.length;
  }

  /**
   * Marks the oldest idle batch in flight and returns it. A batch for which `alone` is true (one whose order
   * matters to the backend) is only claimed when nothing else is in flight, and while it is nothing else is;
   * then `undefined` (wait for the exports in flight to settle).
   */
  claim(alone?: (batch: Batch) => boolean): Batch | undefined {
    if (this.flyingAlone) return undefined;
    const batch = this.oldestIdle();
    if (batch === undefined) return undefined;
    const solo = alone?.(batch) ?? false;
    if (solo && this.flying.size > 0) return undefined;
    this.flying.add(batch);
    this.flyingAlone = solo;
    return batch;
  }

  /** Removes and returns the oldest batch (in flight or not). */
  shift(): Batch {
    const head = this.items.shift() ?? [];
    this.size -= head.length;
    this.unmark(head);
    return head;
  }

  /** A claimed batch is done with (delivered or given up on): out of the queue. */
  settle(batch: Batch): void {
    const at = this.items.indexOf(batch);
    if (at >= 0) {
      this.items.splice(at, 1);
      this.size -= batch.length;
    }
    this.unmark(batch);
  }

  /** Part of a claimed batch was delivered: `rest` takes its place, still in flight. */
  replace(batch: Batch, rest: Batch): Batch {
    const at = this.items.indexOf(batch);
    if (at < 0) return rest;
    this.size += rest.length - batch.length;
    this.items[at] = rest;
    if (this.flying.delete(batch)) this.flying.add(rest);
    return rest;
  }

  /** Removes and returns the oldest batch not being exported. */
  takeIdle(): Batch | undefined {
    const batch = this.oldestIdle();
    if (batch === undefined) return undefined;
    this.items.splice(this.items.indexOf(batch), 1);
    this.size -= batch.length;
    return batch;
  }

  /** Puts back a batch `takeIdle` returned (it was not written): it stays the oldest idle one. */
  returnIdle(batch: Batch): void {
    let at = 0;
    while (at < this.items.length && this.flying.has(this.items[at]!)) at++;
    this.items.splice(at, 0, batch);
    this.size += batch.length;
  }

  /** Empties the queue, returning every record in order (in flight or not). */
  drain(): TrackingRecord[] {
    const all = this.items.flat();
    this.items = [];
    this.size = 0;
    this.flying.clear();
    this.flyingAlone = false;
    return all;
  }

  private oldestIdle(): Batch | undefined {
    if (this.flying.size === 0) return this.items[0];
    return this.items.find((b) => !this.flying.has(b));
  }

  private unmark(batch: Batch): void {
    if (this.flying.delete(batch) && this.flying.size === 0) this.flyingAlone = false;
  }
}

import type { TrackingRecord } from './spec.js';

/**
 * One lane's in-memory queue of sealed batches, oldest first. The batch being exported (`inFlight`) stays
 * at the head until its export settles; inline writes take the oldest batch that is not in flight.
 */
export class LaneQueue {
  private items: (readonly TrackingRecord[])[] = [];
  /** Records queued (in flight included). */
  size = 0;
  inFlight: readonly TrackingRecord[] | undefined;

  get length(): number {
    return this.items.length;
  }

  head(): readonly TrackingRecord[] | undefined {
    return this.items[0];
  }

  push(batch: readonly TrackingRecord[]): void {
    this.items.push(batch);
    this.size += batch.length;
  }

  shift(): readonly TrackingRecord[] {
    const head = this.items.shift() ?? [];
    this.size -= head.length;
    return head;
  }

  /** Part of the head batch was delivered: keep only the rest. */
  replaceHead(rest: readonly TrackingRecord[]): void {
    const head = this.items[0];
    if (!head) return;
    this.size += rest.length - head.length;
    this.items[0] = rest;
  }

  private get idleAt(): number {
    return this.inFlight !== undefined && this.items[0] === this.inFlight ? 1 : 0;
  }

  /** Removes and returns the oldest batch not being exported. */
  takeIdle(): readonly TrackingRecord[] | undefined {
    const at = this.idleAt;
    if (at >= this.items.length) return undefined;
    const [batch] = this.items.splice(at, 1);
    this.size -= batch!.length;
    return batch;
  }

  /** Puts back a batch `takeIdle` returned (it was not written): it stays the oldest idle one. */
  returnIdle(batch: readonly TrackingRecord[]): void {
    this.items.splice(this.idleAt, 0, batch);
    this.size += batch.length;
  }

  /** Empties the queue, returning every record in order. */
  drain(): TrackingRecord[] {
    const all = this.items.flat();
    this.items = [];
    this.size = 0;
    return all;
  }
}

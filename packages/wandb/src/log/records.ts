import { readFileSync } from 'node:fs';
import { wandbType } from '../proto/protobufjs.js';
import { readLogBytes, type LogDamage } from './read-log.js';

/** A decoded message: its fields by their .proto names (snake_case); int64 values as numbers. */
export type Decoded = { [name: string]: unknown };

export interface WandbRecord {
  /** Which `record_type` the record carries ('history', 'run', …) or 'unknown'. */
  type: string;
  num: number;
  offset: number;
  /** The decoded fields of the record_type member (per proto/wandb.proto; unknown fields skipped). */
  data: Decoded;
}

export interface WandbFileContents {
  headerOk: boolean;
  records: WandbRecord[];
  damage: LogDamage[];
  truncated: boolean;
}

/** Reads and decodes a `.wandb` file (or its bytes); never throws on damaged content. */
export function readWandbFile(pathOrBytes: string | Uint8Array): WandbFileContents {
  const bytes = typeof pathOrBytes === 'string' ? readFileSync(pathOrBytes) : pathOrBytes;
  const log = readLogBytes(bytes);
  const records: WandbRecord[] = [];
  const damage = [...log.damage];
  const Record = wandbType('Record');
  for (const r of log.records) {
    const decoded = decodeRecord(Record, r.payload);
    if (!decoded) {
      damage.push({ offset: r.offset, reason: 'record is not a valid protobuf Record' });
      continue;
    }
    const type = typeof decoded.record_type === 'string' ? decoded.record_type : 'unknown';
    records.push({ type, num: typeof decoded.num === 'number' ? decoded.num : 0, offset: r.offset, data: (decoded[type] as Decoded | undefined) ?? {} });
  }
  return { headerOk: log.headerOk, records, damage, truncated: log.truncated };
}

/** One `Record` decoded by protobufjs, or undefined when the bytes are not one (protobufjs throws then). */
function decodeRecord(Record: ReturnType<typeof wandbType>, payload: Uint8Array): Decoded | undefined {
  try {
    return Record.toObject(Record.decode(payload), { longs: Number, oneofs: true }) as Decoded;
  } catch {
    return undefined;
  }
}

/** `{ key | nested_key.join('.') : JSON.parse(value_json) }` for history/summary/config items. */
export function itemsToObject(items: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(items)) return out;
  for (const it of items as Decoded[]) {
    const key = typeof it.key === 'string' ? it.key : Array.isArray(it.nested_key) ? (it.nested_key as string[]).join('.') : '';
    out[key] = parseJsonValue(typeof it.value_json === 'string' ? it.value_json : 'null');
  }
  return out;
}

/** JSON.parse that also accepts the bare NaN/Infinity tokens W&B allows. */
export function parseJsonValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    if (text === 'NaN') return Number.NaN;
    if (text === 'Infinity') return Number.POSITIVE_INFINITY;
    if (text === '-Infinity') return Number.NEGATIVE_INFINITY;
    return text;
  }
}

/**
 * A minimal protobuf decoder driven by small schema tables. It never throws on malformed input:
 * `decodeMessage` returns `undefined` when the bytes are not a valid message for the schema.
 */
export type FieldType = 'string' | 'int' | 'bool' | 'double' | 'enum' | MessageSchema;

export interface FieldSpec {
  name: string;
  type: FieldType;
  repeated?: boolean;
}

export interface MessageSchema {
  [fieldNumber: number]: FieldSpec;
}

export type Decoded = { [name: string]: unknown };

class Malformed extends Error {}

class Cursor {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new Malformed('truncated varint');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 0x80;
    }
    throw new Malformed('varint too long');
  }

  /** A varint read as signed 64-bit (negative int32/int64 values use 10 bytes). */
  signedVarint(): number {
    const start = this.pos;
    let big = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new Malformed('truncated varint');
      const b = this.buf[this.pos++]!;
      big |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if (b < 0x80) return Number(BigInt.asIntN(64, big));
    }
    this.pos = start;
    throw new Malformed('varint too long');
  }

  take(n: number): number {
    if (n < 0 || this.pos + n > this.end) throw new Malformed('field runs past the end');
    const at = this.pos;
    this.pos += n;
    return at;
  }
}

const utf8 = new TextDecoder('utf-8');

function decodeInto(c: Cursor, schema: MessageSchema, depth: number): Decoded {
  if (depth > 32) throw new Malformed('nesting too deep');
  const out: Decoded = {};
  while (c.pos < c.end) {
    const key = c.varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (field === 0) throw new Malformed('field number 0');
    const spec = schema[field];
    let value: unknown;
    switch (wire) {
      case 0: {
        const v = spec && (spec.type === 'int' || spec.type === 'enum') ? c.signedVarint() : c.varint();
        value = spec?.type === 'bool' ? v !== 0 : v;
        break;
      }
      case 1: {
        const at = c.take(8);
        value = new DataView(c.buf.buffer, c.buf.byteOffset + at, 8).getFloat64(0, true);
        break;
      }
      case 2: {
        const len = c.varint();
        const at = c.take(len);
        if (!spec) continue;
        if (spec.type === 'string') value = utf8.decode(c.buf.subarray(at, at + len));
        else if (typeof spec.type === 'object') value = decodeInto(new Cursor(c.buf, at, at + len), spec.type, depth + 1);
        else continue;
        break;
      }
      case 5:
        c.take(4);
        continue;
      default:
        throw new Malformed(`unsupported wire type ${wire}`);
    }
    if (!spec) continue;
    if (spec.repeated) ((out[spec.name] ??= []) as unknown[]).push(value);
    else out[spec.name] = value;
  }
  return out;
}

export function decodeMessage(bytes: Uint8Array, schema: MessageSchema): Decoded | undefined {
  try {
    return decodeInto(new Cursor(bytes, 0, bytes.length), schema, 0);
  } catch (error) {
    if (error instanceof Malformed || error instanceof RangeError) return undefined;
    throw error;
  }
}

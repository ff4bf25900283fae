/**
 * The one protobuf wire-format writer of @metrics (hand-written, no schema compiler): varints,
 * fixed32/fixed64 and length-delimited fields into one growable Buffer. Nested messages are written in
 * place: `begin` reserves one length byte and `end` shifts the body right when the length needs more,
 * so nothing is encoded twice. Backends keep only their message-specific encoders on top of this.
 *
 * Two families of field writers: `uint`, `bool`, `double`, `float`, `string`, `bytes` always write (for
 * oneof members, repeated elements and fields with explicit presence); `opt*` follow proto3 implicit
 * presence and omit a field at its default value (0, false, '', empty bytes; −0 is written), which is
 * what protobufjs and protoc-generated encoders do, so our bytes match theirs.
 */
export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_FIXED32 = 5;

export class ProtoWriter {
  /** The buffer being written; low-level encoders may write into it directly after `ensure`. */
  buf: Buffer;
  /** The next byte to write. */
  pos = 0;
  /** Length-byte positions of the open nested messages. */
  protected readonly stack: number[] = [];

  constructor(initialSize = 64) {
    this.buf = Buffer.allocUnsafe(Math.max(initialSize, 16));
  }

  get length(): number {
    return this.pos;
  }

  /** Empties the writer for reuse (keeps the buffer). */
  reset(): this {
    this.pos = 0;
    this.stack.length = 0;
    return this;
  }

  /** A copy of the bytes written so far. */
  finish(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }

  /** A view of the bytes written so far (valid until the next write). */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  /** Makes room for `extra` more bytes. */
  ensure(extra: number): this {
    const need = this.pos + extra;
    if (need <= this.buf.length) return this;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
    return this;
  }

  /** Unsigned varint of an integer in 0 … 2^53−1; a negative int32/int64 as 10-byte two's complement. */
  varint(value: number): this {
    this.ensure(10);
    const b = this.buf;
    if (value >= 0 && value < 0x80000000) {
      let v = value;
      while (v > 127) {
        b[this.pos++] = (v & 127) | 128;
        v >>>= 7;
      }
      b[this.pos++] = v;
      return this;
    }
    if (value < 0) return this.varintBig(BigInt(Math.trunc(value)));
    let v = Math.floor(value);
    while (v > 127) {
      b[this.pos++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    b[this.pos++] = v;
    return this;
  }

  /** A varint of a 64-bit value (taken modulo 2^64: negatives become two's complement). */
  varintBig(value: bigint): this {
    this.ensure(10);
    let x = BigInt.asUintN(64, value);
    while (x > 127n) {
      this.buf[this.pos++] = Number(x & 127n) | 128;
      x >>= 7n;
    }
    this.buf[this.pos++] = Number(x);
    return this;
  }

  tag(field: number, wire: number): this {
    return this.varint(field * 8 + wire);
  }

  /** Pre-encoded bytes (e.g. a cached tag + length + key), copied as they are. */
  raw(bytes: Uint8Array): this {
    const n = bytes.length;
    this.ensure(n);
    if (n < 64) {
      // short copies by hand: cheaper than a native call
      const buf = this.buf;
      const at = this.pos;
      for (let i = 0; i < n; i++) buf[at + i] = bytes[i]!;
    } else this.buf.set(bytes, this.pos);
    this.pos += n;
    return this;
  }

  /** A little-endian float64 without a tag. */
  fixedDouble(x: number): this {
    this.ensure(8);
    this.buf.writeDoubleLE(x, this.pos);
    this.pos += 8;
    return this;
  }

  /** A little-endian float32 without a tag. */
  fixedFloat(x: number): this {
    this.ensure(4);
    this.buf.writeFloatLE(x, this.pos);
    this.pos += 4;
    return this;
  }

  // ---- field writers: tag + payload, always written ----

  /** uint32/uint64/int32/int64/enum (negative values as 10 bytes). */
  uint(field: number, n: number): this {
    return this.tag(field, WIRE_VARINT).varint(n);
  }

  bool(field: number, b: boolean): this {
    return this.tag(field, WIRE_VARINT).varint(b ? 1 : 0);
  }

  double(field: number, x: number): this {
    return this.tag(field, WIRE_FIXED64).fixedDouble(x);
  }

  float(field: number, x: number): this {
    return this.tag(field, WIRE_FIXED32).fixedFloat(x);
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_BYTES).varint(value.length).ensure(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
    return this;
  }

  /** A string field as UTF-8 (lone surrogates become U+FFFD, as TextEncoder does). */
  string(field: number, value: string): this {
    const n = value.length;
    this.tag(field, WIRE_BYTES).ensure(n * 3 + 5);
    // Short ASCII strings (keys, numbers as JSON) are copied by hand: cheaper than a native call.
    if (n < 0x80) {
      const buf = this.buf;
      const start = this.pos + 1;
      let i = 0;
      for (; i < n; i++) {
        const c = value.charCodeAt(i);
        if (c >= 0x80) break;
        buf[start + i] = c;
      }
      if (i === n) {
        buf[this.pos] = n;
        this.pos = start + n;
        return this;
      }
    }
    this.varint(Buffer.byteLength(value, 'utf8'));
    this.pos += this.buf.write(value, this.pos, 'utf8');
    return this;
  }

  /** A packed repeated double field; nothing for an empty list. */
  packedDoubles(field: number, xs: ArrayLike<number>): this {
    return this.packed(field, xs, 8, (x, at) => this.buf.writeDoubleLE(x, at));
  }

  /** A packed repeated float field; nothing for an empty list. */
  packedFloats(field: number, xs: ArrayLike<number>): this {
    return this.packed(field, xs, 4, (x, at) => this.buf.writeFloatLE(x, at));
  }

  private packed(field: number, xs: ArrayLike<number>, width: number, put: (x: number, at: number) => void): this {
    if (xs.length === 0) return this;
    this.tag(field, WIRE_BYTES)
      .varint(xs.length * width)
      .ensure(xs.length * width);
    for (let i = 0; i < xs.length; i++) {
      put(xs[i]!, this.pos);
      this.pos += width;
    }
    return this;
  }

  // ---- proto3 implicit presence: omitted at the default value ----

  /** int32/int64/uint/enum field; omitted when 0. */
  optInt(field: number, value: number): this {
    return value === 0 ? this : this.uint(field, value);
  }

  /** bool field; omitted when false. */
  optBool(field: number, value: boolean): this {
    return value ? this.uint(field, 1) : this;
  }

  /** double field; omitted when +0 (−0 and NaN are written). */
  optDouble(field: number, value: number): this {
    return Object.is(value, 0) ? this : this.double(field, value);
  }

  /** float field; omitted when +0. */
  optFloat(field: number, value: number): this {
    return Object.is(value, 0) ? this : this.float(field, value);
  }

  /** string field; omitted when empty. */
  optString(field: number, value: string): this {
    return value.length === 0 ? this : this.string(field, value);
  }

  /** bytes field; omitted when empty. */
  optBytes(field: number, value: Uint8Array): this {
    return value.length === 0 ? this : this.bytes(field, value);
  }

  // ---- nested messages ----

  /** Starts a nested message; it is emitted even when empty (`header {}` must appear on the wire). */
  begin(field: number): this {
    this.tag(field, WIRE_BYTES).ensure(1);
    this.stack.push(this.pos);
    this.pos += 1;
    return this;
  }

  /** Closes the innermost `begin`, writing its length. */
  end(): this {
    const lenPos = this.stack.pop();
    if (lenPos === undefined) throw new Error('ProtoWriter.end() without begin(): call begin(field) first');
    const bodyStart = lenPos + 1;
    const len = this.pos - bodyStart;
    if (len < 0x80) {
      this.buf[lenPos] = len;
      return this;
    }
    const size = varintSize(len);
    this.ensure(size - 1);
    this.buf.copyWithin(lenPos + size, bodyStart, this.pos);
    let v = len;
    let p = lenPos;
    while (v >= 0x80) {
      this.buf[p++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[p] = v;
    this.pos += size - 1;
    return this;
  }

  /** An embedded message whose fields `build` writes (in place, between begin and end). */
  message(field: number, build: (w: this) => void): this {
    this.begin(field);
    build(this);
    return this.end();
  }
}

/** Bytes needed for the varint of a non-negative integer ≤ 2^53. */
export function varintSize(n: number): number {
  let size = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

const utf8 = new TextEncoder();

export function encodeUtf8(s: string): Uint8Array {
  return utf8.encode(s);
}

/** Writes the varint of a non-negative integer ≤ 2^53 into `b` at `p` (room is the caller's job); returns the next position. */
export function putVarint(b: Uint8Array, p: number, n: number): number {
  while (n > 127) {
    b[p++] = (n % 128) | 128;
    n = Math.floor(n / 128);
  }
  b[p++] = n;
  return p;
}

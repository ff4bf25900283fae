/** A minimal protobuf wire-format writer into a growing Buffer (hand-written; no schema compiler). */
export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_FIXED32 = 5;

const utf8 = new TextEncoder();

export class ProtoWriter {
  buf: Buffer;
  pos = 0;

  constructor(initialSize = 64) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  ensure(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Unsigned varint of a non-negative integer up to 2^53, or a negative int64 as 10 bytes (two's complement). */
  varint(n: number): this {
    this.ensure(10);
    const b = this.buf;
    if (n >= 0 && n < 0x80000000) {
      let v = n;
      while (v > 127) {
        b[this.pos++] = (v & 127) | 128;
        v >>>= 7;
      }
      b[this.pos++] = v;
      return this;
    }
    if (n < 0) return this.varintBig(BigInt.asUintN(64, BigInt(Math.trunc(n))));
    let v = Math.floor(n);
    while (v > 127) {
      b[this.pos++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    b[this.pos++] = v;
    return this;
  }

  varintBig(v: bigint): this {
    this.ensure(10);
    let x = BigInt.asUintN(64, v);
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

  raw(bytes: Uint8Array): this {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
    return this;
  }

  // Field writers: each writes tag + payload.
  uint(field: number, n: number): this {
    return this.tag(field, WIRE_VARINT).varint(n);
  }
  bool(field: number, b: boolean): this {
    return this.tag(field, WIRE_VARINT).varint(b ? 1 : 0);
  }
  double(field: number, x: number): this {
    this.tag(field, WIRE_FIXED64).ensure(8);
    this.buf.writeDoubleLE(x, this.pos);
    this.pos += 8;
    return this;
  }
  float(field: number, x: number): this {
    this.tag(field, WIRE_FIXED32).ensure(4);
    this.buf.writeFloatLE(x, this.pos);
    this.pos += 4;
    return this;
  }
  bytes(field: number, bytes: Uint8Array): this {
    return this.tag(field, WIRE_BYTES).varint(bytes.length).raw(bytes);
  }
  string(field: number, s: string): this {
    return this.bytes(field, utf8.encode(s));
  }
  /** An embedded message built by `build` into a scratch writer. */
  message(field: number, build: (w: ProtoWriter) => void): this {
    const sub = new ProtoWriter(64);
    build(sub);
    return this.bytes(field, sub.finish());
  }
  packedDoubles(field: number, xs: ArrayLike<number>): this {
    if (xs.length === 0) return this;
    this.tag(field, WIRE_BYTES).varint(xs.length * 8).ensure(xs.length * 8);
    for (let i = 0; i < xs.length; i++) {
      this.buf.writeDoubleLE(xs[i]!, this.pos);
      this.pos += 8;
    }
    return this;
  }

  /** A copy of the bytes written so far. */
  finish(): Uint8Array {
    return new Uint8Array(this.buf.subarray(0, this.pos));
  }
}

export function encodeUtf8(s: string): Uint8Array {
  return utf8.encode(s);
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

/**
 * A minimal protobuf (proto3) encoder: varints, length-delimited fields and doubles into one growable
 * buffer. Nested messages are written in place: `begin` reserves one length byte and `end` shifts the
 * body right when the length needs more, so nothing is encoded twice.
 */
const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;

export class ProtoWriter {
  private buf: Buffer;
  private pos = 0;
  private readonly stack: number[] = [];
  private readonly f64 = new Float64Array(1);
  private readonly f64bytes = new Uint8Array(this.f64.buffer);

  constructor(initialSize = 1024) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  get length(): number {
    return this.pos;
  }

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

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + extra) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Unsigned varint for integers in 0 … 2^53−1; negative int32/int64 as 10-byte two's complement. */
  varint(value: number): void {
    this.ensure(10);
    if (value < 0) return this.negativeVarint(value);
    while (value >= 0x80) {
      this.buf[this.pos++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.buf[this.pos++] = value;
  }

  private negativeVarint(value: number): void {
    let big = BigInt.asUintN(64, BigInt(Math.trunc(value)));
    while (big >= 0x80n) {
      this.buf[this.pos++] = Number(big & 0x7fn) | 0x80;
      big >>= 7n;
    }
    this.buf[this.pos++] = Number(big);
  }

  tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  /** int32/int64/enum/bool field; proto3 omits zero values. */
  int(field: number, value: number): void {
    if (value === 0) return;
    this.tag(field, WIRE_VARINT);
    this.varint(value);
  }

  bool(field: number, value: boolean): void {
    if (!value) return;
    this.tag(field, WIRE_VARINT);
    this.varint(1);
  }

  double(field: number, value: number): void {
    if (value === 0 && !Object.is(value, -0)) return;
    this.tag(field, WIRE_FIXED64);
    this.ensure(8);
    this.f64[0] = value;
    this.buf.set(this.f64bytes, this.pos);
    this.pos += 8;
  }

  /** A string field; empty strings are omitted unless `always` (repeated fields keep them). */
  string(field: number, value: string, always = false): void {
    const n = value.length;
    if (n === 0 && !always) return;
    this.tag(field, WIRE_LEN);
    this.ensure(n * 3 + 5);
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
        return;
      }
    }
    const bytes = Buffer.byteLength(value, 'utf8');
    this.varint(bytes);
    this.pos += this.buf.write(value, this.pos, 'utf8');
  }

  /** Pre-encoded bytes (e.g. a cached tag + length + key), copied as they are. */
  raw(bytes: Uint8Array): void {
    const n = bytes.length;
    this.ensure(n);
    if (n < 64) {
      const buf = this.buf;
      const at = this.pos;
      for (let i = 0; i < n; i++) buf[at + i] = bytes[i]!;
    } else this.buf.set(bytes, this.pos);
    this.pos += n;
  }

  bytes(field: number, value: Uint8Array): void {
    this.tag(field, WIRE_LEN);
    this.varint(value.length);
    this.ensure(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }

  /** Starts a nested message; emitted even when empty (`header {}` must appear on the wire). */
  begin(field: number): void {
    this.tag(field, WIRE_LEN);
    this.ensure(1);
    this.stack.push(this.pos);
    this.pos += 1;
  }

  end(): void {
    const lenPos = this.stack.pop();
    if (lenPos === undefined) throw new Error('ProtoWriter.end() without begin()');
    const bodyStart = lenPos + 1;
    const len = this.pos - bodyStart;
    if (len < 0x80) {
      this.buf[lenPos] = len;
      return;
    }
    let size = 1;
    for (let v = len; v >= 0x80; v = Math.floor(v / 0x80)) size++;
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
  }
}

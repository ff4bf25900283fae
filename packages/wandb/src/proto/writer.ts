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

  /**
   * A string field holding the ASCII token of `src` that starts at `at` and ends before the next `,` or
   * `]` (one number of a JSON array's text, at most 32 bytes); returns where the following token starts.
   */
  token(field: number, src: Uint8Array, at: number): number {
    this.tag(field, WIRE_LEN);
    this.ensure(33);
    const buf = this.buf;
    const start = this.pos + 1;
    const limit = start + 32;
    let o = start;
    let p = at;
    for (let c = src[p]; c !== 0x2c && c !== 0x5d; c = src[++p]) {
      if (o === limit || c === undefined) throw new Error('ProtoWriter.token: no token end');
      buf[o++] = c;
    }
    buf[this.pos] = o - start;
    this.pos = o;
    return p + 1;
  }

  /**
   * A whole `{ key, value_json }` item in one go (the hot path of history rows): `field` (< 16) as a
   * nested message holding the pre-encoded `keyField` bytes and, as field 16, the next number token of
   * `src` from `at` (see `token`; the caller makes sure a token starts there). Returns where the
   * following token starts.
   */
  keyTokenItem(field: number, keyField: Uint8Array, src: Uint8Array, at: number): number {
    const n = keyField.length;
    this.ensure(n + 40);
    const buf = this.buf;
    let o = this.pos;
    buf[o++] = (field << 3) | WIRE_LEN;
    const lenAt = o++;
    buf.set(keyField, o);
    o += n;
    buf[o++] = 0x82; // field 16, length-delimited: value_json
    buf[o++] = 0x01;
    const tokenLenAt = o++;
    // `src` is JSON.stringify text of numbers: every token ends at `,` or `]` within 25 bytes.
    let p = at;
    for (let c = src[p]!; c !== 0x2c && c !== 0x5d; c = src[++p]!) buf[o++] = c;
    buf[tokenLenAt] = o - tokenLenAt - 1;
    this.pos = o;
    const len = o - lenAt - 1;
    if (len < 0x80) buf[lenAt] = len;
    else {
      // a key of 90+ bytes: let end() widen the length field
      this.stack.push(lenAt);
      this.end();
    }
    return p + 1;
  }

  /**
   * A whole `{ key, value_json }` item with the pre-encoded `keyField` bytes and, as value, the decimal
   * text of `whole` (a non-negative safe integer) followed, when `millis` (0…999) is not 0, by `.` and
   * its three digits without trailing zeros: "12", "12.5", "12.05", "12.345", the text `String` gives.
   * For the step and time columns of every history row; `digits` remembers the column's last integer.
   */
  keyDecimalItem(field: number, keyField: Uint8Array, digits: DecimalDigits, whole: number, millis = 0): void {
    const n = keyField.length;
    this.ensure(n + 30);
    const buf = this.buf;
    let o = this.pos;
    buf[o++] = (field << 3) | WIRE_LEN;
    const lenAt = o++;
    buf.set(keyField, o);
    o += n;
    buf[o++] = 0x82; // field 16, length-delimited: value_json
    buf[o++] = 0x01;
    digits.set(whole);
    let frac = 0;
    if (millis !== 0) frac = millis % 100 === 0 ? 1 : millis % 10 === 0 ? 2 : 3;
    const d = digits.length;
    buf[o++] = d + (frac ? frac + 1 : 0);
    const text = digits.text;
    for (let i = 0; i < d; i++) buf[o++] = text[i]!;
    if (frac) {
      buf[o++] = 0x2e;
      buf[o++] = 0x30 + Math.floor(millis / 100);
      if (frac > 1) buf[o++] = 0x30 + (Math.floor(millis / 10) % 10);
      if (frac > 2) buf[o++] = 0x30 + (millis % 10);
    }
    this.pos = o;
    const len = o - lenAt - 1;
    if (len < 0x80) buf[lenAt] = len;
    else {
      this.stack.push(lenAt);
      this.end();
    }
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

/**
 * The decimal digits of one column's last integer. Rows usually repeat it (whole seconds) or add one
 * (row and step counters), so the digits are reused or incremented instead of recomputed.
 */
export class DecimalDigits {
  private value = 0;
  /** ASCII digits, `length` of them (a safe integer has at most 16). */
  readonly text = new Uint8Array(16);
  length = 1;

  constructor() {
    this.text[0] = 0x30;
  }

  /** `whole`: a non-negative safe integer. */
  set(whole: number): void {
    if (whole === this.value) return;
    const t = this.text;
    if (whole === this.value + 1) {
      let i = this.length - 1;
      while (i >= 0 && t[i] === 0x39) t[i--] = 0x30;
      if (i >= 0) t[i]!++;
      else {
        t.copyWithin(1, 0, this.length++);
        t[0] = 0x31;
      }
    } else {
      let n = 1;
      for (let v = whole; v >= 10; v = Math.floor(v / 10)) n++;
      let v = whole;
      for (let i = n - 1; i >= 0; i--) {
        t[i] = 0x30 + (v % 10);
        v = Math.floor(v / 10);
      }
      this.length = n;
    }
    this.value = whole;
  }
}

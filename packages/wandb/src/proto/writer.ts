/**
 * The W&B record writer: core's protobuf writer (`@metrics/core/protobuf`) plus what only W&B records
 * need: the hot-path history items, written in one go.
 */
import { ProtoWriter as CoreProtoWriter, WIRE_BYTES } from '@metrics/core/protobuf';

export class ProtoWriter extends CoreProtoWriter {
  constructor(initialSize = 1024) {
    super(initialSize);
  }

  /** The bytes `src[from…to)`, as they are. */
  rawRange(src: Uint8Array, from: number, to: number): this {
    const n = to - from;
    this.ensure(n);
    this.buf.set(src.subarray(from, to), this.pos);
    this.pos += n;
    return this;
  }

  /**
   * A string field holding the ASCII token of `src` that starts at `at` and ends before the next `,` or
   * `]` (one number of a JSON array's text, at most 32 bytes); returns where the following token starts.
   */
  token(field: number, src: Uint8Array, at: number): number {
    this.tag(field, WIRE_BYTES);
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
   * `begin` for a message that is usually 128 bytes to 16 KiB long (a history row): two bytes are kept for
   * its length, so `endWide` mostly writes them in place instead of moving the body as `end` would. Returns
   * the position to pass to `endWide`; nested messages inside use `begin`/`end` as usual.
   */
  beginWide(field: number): number {
    this.tag(field, WIRE_BYTES).ensure(2);
    const lenPos = this.pos;
    this.pos += 2;
    return lenPos;
  }

  /** Closes `beginWide`: the length as the same (shortest) varint `end` writes. */
  endWide(lenPos: number): this {
    const len = this.pos - lenPos - 2;
    const buf = this.buf;
    if (len >= 0x80 && len < 0x4000) {
      buf[lenPos] = (len & 0x7f) | 0x80;
      buf[lenPos + 1] = len >>> 7;
      return this;
    }
    // shorter or longer: move the body next to one byte, and let `end` write the length
    buf.copyWithin(lenPos + 1, lenPos + 2, this.pos);
    this.pos -= 1;
    this.stack.push(lenPos);
    return this.end();
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
    buf[o++] = (field << 3) | WIRE_BYTES;
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
    buf[o++] = (field << 3) | WIRE_BYTES;
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

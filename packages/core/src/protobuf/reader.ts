/**
 * The one bounds-checked protobuf wire-format reader of @metrics: every malformed input becomes a
 * ProtoError (never a hang, never another error type). Backends decode their messages on top of it.
 */
export class ProtoError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at byte ${offset}`);
    this.name = 'ProtoError';
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

export class ProtoReader {
  pos: number;
  readonly end: number;
  private readonly view: DataView;

  constructor(
    readonly buf: Uint8Array,
    start = 0,
    end = buf.length,
  ) {
    this.pos = start;
    this.end = end;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** A varint as a JS number (exact up to 2^53; larger values lose precision; negative int64 → negative). */
  varint(): number {
    const start = this.pos;
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtoError('truncated varint', this.pos);
      const b = this.buf[this.pos++]!;
      if (i >= 7) return this.bigVarint(start);
      result += (b & 127) * mul;
      mul *= 128;
      if (b < 128) return result;
    }
    throw new ProtoError('varint too long', this.pos);
  }

  /** Varints of 8+ bytes: exact via BigInt, as a signed int64. */
  private bigVarint(start: number): number {
    this.pos = start;
    let x = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtoError('truncated varint', this.pos);
      const b = this.buf[this.pos++]!;
      x |= BigInt(b & 127) << shift;
      shift += 7n;
      if (b < 128) return Number(BigInt.asIntN(64, x));
    }
    throw new ProtoError('varint too long', this.pos);
  }

  tag(): { field: number; wire: number } {
    const t = this.varint();
    const field = Math.floor(t / 8);
    if (field === 0) throw new ProtoError('field number 0', this.pos);
    return { field, wire: t & 7 };
  }

  double(): number {
    if (this.pos + 8 > this.end) throw new ProtoError('truncated fixed64', this.pos);
    const x = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return x;
  }

  float(): number {
    if (this.pos + 4 > this.end) throw new ProtoError('truncated fixed32', this.pos);
    const x = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return x;
  }

  /** A length-delimited field's [start, end) range. */
  range(): [number, number] {
    const len = this.varint();
    const start = this.pos;
    if (len > this.end - start) throw new ProtoError(`length ${len} past the end`, start);
    this.pos = start + len;
    return [start, start + len];
  }

  bytes(): Uint8Array {
    const [s, e] = this.range();
    return this.buf.subarray(s, e);
  }

  string(): string {
    const [s, e] = this.range();
    return utf8.decode(this.buf.subarray(s, e));
  }

  sub(): ProtoReader {
    const [s, e] = this.range();
    return new ProtoReader(this.buf, s, e);
  }

  /** Packed (wire 2) or single (wire 1) doubles. */
  doubles(wire: number, out: number[]): void {
    this.repeated(wire, 1, 8, () => this.double(), out);
  }

  /** Packed (wire 2) or single (wire 5) floats. */
  floats(wire: number, out: number[]): void {
    this.repeated(wire, 5, 4, () => this.float(), out);
  }

  /** One element of a repeated fixed-width field: a single one (`singleWire`) or a packed run. */
  private repeated(wire: number, singleWire: number, width: number, read: () => number, out: number[]): void {
    if (wire === singleWire) {
      out.push(read());
      return;
    }
    const [s, e] = this.range();
    const saved = this.pos;
    this.pos = s;
    while (this.pos + width <= e) out.push(read());
    this.pos = saved;
  }

  skip(wire: number): void {
    switch (wire) {
      case 0:
        this.varint();
        return;
      case 1:
        if (this.pos + 8 > this.end) throw new ProtoError('truncated fixed64', this.pos);
        this.pos += 8;
        return;
      case 2:
        this.range();
        return;
      case 5:
        if (this.pos + 4 > this.end) throw new ProtoError('truncated fixed32', this.pos);
        this.pos += 4;
        return;
      default:
        throw new ProtoError(`unsupported wire type ${wire}`, this.pos);
    }
  }
}

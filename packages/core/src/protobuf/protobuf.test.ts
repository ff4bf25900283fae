import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ProtoError, ProtoReader, ProtoWriter, WIRE_BYTES, WIRE_FIXED32, WIRE_FIXED64, WIRE_VARINT } from './index.js';

type Field =
  | { kind: 'uint'; field: number; value: number }
  | { kind: 'double'; field: number; value: number }
  | { kind: 'string'; field: number; value: string }
  | { kind: 'nested'; field: number; value: Field[] };

const fieldNo = fc.integer({ min: 1, max: 2 ** 29 - 1 });
const field: fc.Arbitrary<Field> = fc.letrec<{ f: Field }>((tie) => ({
  f: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({
      kind: fc.constant('uint' as const),
      field: fieldNo,
      value: fc.oneof(fc.nat(300), fc.integer({ min: -(2 ** 40), max: Number.MAX_SAFE_INTEGER })),
    }),
    fc.record({ kind: fc.constant('double' as const), field: fieldNo, value: fc.double({ noNaN: true }) }),
    fc.record({ kind: fc.constant('string' as const), field: fieldNo, value: fc.string({ unit: 'binary', maxLength: 200 }) }),
    fc.record({ kind: fc.constant('nested' as const), field: fieldNo, value: fc.array(tie('f'), { maxLength: 4 }) }),
  ),
})).f;

function write(w: ProtoWriter, fields: Field[]): void {
  for (const f of fields) {
    if (f.kind === 'uint') w.uint(f.field, f.value);
    else if (f.kind === 'double') w.double(f.field, f.value);
    else if (f.kind === 'string') w.string(f.field, f.value);
    else w.message(f.field, (m) => write(m, f.value));
  }
}

function read(r: ProtoReader, like: Field[]): Field[] {
  const out: Field[] = [];
  for (const f of like) {
    const { field: n, wire } = r.tag();
    expect(n).toBe(f.field);
    if (f.kind === 'uint') out.push({ kind: 'uint', field: n, value: (expect(wire).toBe(WIRE_VARINT), r.varint()) });
    else if (f.kind === 'double') out.push({ kind: 'double', field: n, value: (expect(wire).toBe(WIRE_FIXED64), r.double()) });
    else if (f.kind === 'string') out.push({ kind: 'string', field: n, value: (expect(wire).toBe(WIRE_BYTES), r.string()) });
    else out.push({ kind: 'nested', field: n, value: read(r.sub(), f.value) });
  }
  expect(r.done).toBe(true);
  return out;
}

describe('@metrics/core/protobuf', () => {
  it('the reader reads back what the writer wrote (nested messages of any length, negative int64, all UTF-8)', () => {
    fc.assert(
      fc.property(fc.array(field, { maxLength: 8 }), (fields) => {
        const w = new ProtoWriter(1);
        write(w, fields);
        expect(read(new ProtoReader(w.finish()), fields)).toEqual(fields);
      }),
    );
  });

  it('opt* writers omit proto3 defaults and write everything else', () => {
    const w = new ProtoWriter();
    w.optInt(1, 0).optBool(2, false).optDouble(3, 0).optFloat(4, 0).optString(5, '').optBytes(6, new Uint8Array(0));
    expect(w.length).toBe(0);
    w.optInt(1, -1).optBool(2, true).optDouble(3, -0).optFloat(4, 1.5).optString(5, 'x').optBytes(6, Uint8Array.of(7));
    const r = new ProtoReader(w.finish());
    expect([r.tag(), r.varint()]).toEqual([{ field: 1, wire: WIRE_VARINT }, -1]);
    expect([r.tag(), r.varint()]).toEqual([{ field: 2, wire: WIRE_VARINT }, 1]);
    expect(r.tag()).toEqual({ field: 3, wire: WIRE_FIXED64 });
    expect(Object.is(r.double(), -0)).toBe(true);
    expect([r.tag(), r.float()]).toEqual([{ field: 4, wire: WIRE_FIXED32 }, 1.5]);
    expect([r.tag(), r.string()]).toEqual([{ field: 5, wire: WIRE_BYTES }, 'x']);
    expect([r.tag(), [...r.bytes()]]).toEqual([{ field: 6, wire: WIRE_BYTES }, [7]]);
    expect(r.done).toBe(true);
  });

  it('the reader turns any malformed bytes into a ProtoError, never another error or a hang', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const r = new ProtoReader(bytes);
        try {
          while (!r.done) {
            const { wire } = r.tag();
            if (wire === WIRE_BYTES) r.sub();
            else r.skip(wire);
          }
        } catch (e) {
          expect(e).toBeInstanceOf(ProtoError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('end() without begin() is an error that names the fix', () => {
    expect(() => new ProtoWriter().end()).toThrow(/call begin\(field\) first/);
  });
});

/**
 * A protobuf decoder driven by small schema tables, on core's wire reader (`@metrics/core/protobuf`).
 * It never throws on malformed input:
 * `decodeMessage` returns `undefined` when the bytes are not a valid message for the schema.
 */
import { ProtoError, ProtoReader } from '@metrics/core/protobuf';

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

function decodeInto(r: ProtoReader, schema: MessageSchema, depth: number): Decoded {
  if (depth > 32) throw new Malformed('nesting too deep');
  const out: Decoded = {};
  while (!r.done) {
    const { field, wire } = r.tag();
    const spec = schema[field];
    let value: unknown;
    switch (wire) {
      case 0: {
        const v = r.varint();
        value = spec?.type === 'bool' ? v !== 0 : v;
        break;
      }
      case 1:
        value = r.double();
        break;
      case 2: {
        if (!spec) {
          r.skip(wire);
          continue;
        }
        if (spec.type === 'string') value = r.string();
        else if (typeof spec.type === 'object') value = decodeInto(r.sub(), spec.type, depth + 1);
        else {
          r.skip(wire);
          continue;
        }
        break;
      }
      default:
        r.skip(wire); // fixed32 is skipped; other wire types are a ProtoError
        continue;
    }
    if (!spec) continue;
    if (spec.repeated) ((out[spec.name] ??= []) as unknown[]).push(value);
    else out[spec.name] = value;
  }
  return out;
}

export function decodeMessage(bytes: Uint8Array, schema: MessageSchema): Decoded | undefined {
  try {
    return decodeInto(new ProtoReader(bytes), schema, 0);
  } catch (error) {
    if (error instanceof Malformed || error instanceof ProtoError || error instanceof RangeError) return undefined;
    throw error;
  }
}

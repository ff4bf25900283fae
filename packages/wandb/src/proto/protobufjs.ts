/**
 * The message types of our proto/wandb.proto, parsed by protobufjs on the first lookup: only the reader
 * (`readWandbFile`) and tests look types up, so creating a tracker never loads protobufjs.
 */
import { fileURLToPath } from 'node:url';
import type { Type } from 'protobufjs';
import { protoTypes } from '@metrics/core/protobuf';

// this module's file, in the ESM and the CJS build alike
const here = typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url);

/** A message type of proto/wandb.proto, e.g. `Record`. */
export const wandbType = protoTypes<Type>(here, 'proto/wandb.proto', 'metrics.wandb');

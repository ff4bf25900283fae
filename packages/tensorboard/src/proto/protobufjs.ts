/**
 * The message types of our proto/tensorboard.proto, parsed by protobufjs on the first lookup: only the
 * reader, the inspect CLI and tests look types up, so creating a tracker never loads protobufjs.
 */
import { fileURLToPath } from 'node:url';
import type { Type } from 'protobufjs';
import { protoTypes } from '@metrics/core/protobuf';

// this module's file, in the ESM and the CJS build alike
const here = typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url);

/** A message type of proto/tensorboard.proto, e.g. `Event`, `HParamsPluginData`. */
export const tensorboardType = protoTypes<Type>(here, 'proto/tensorboard.proto', 'metrics.tensorboard');

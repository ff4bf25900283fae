/**
 * `@metrics/core/protobuf`: the protobuf wire writer and reader shared by the backends (TensorBoard
 * event files, W&B transaction logs). Low-level on purpose: message encoders live in each backend.
 */
export { ProtoWriter, WIRE_BYTES, WIRE_FIXED32, WIRE_FIXED64, WIRE_VARINT, encodeUtf8, putVarint, varintSize } from './writer.js';
export { ProtoError, ProtoReader } from './reader.js';
export { packageFile, protoTypes } from './package-file.js';

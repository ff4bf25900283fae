export { createTensorBoardExporter, type TensorBoardExporterOptions, type TensorBoardNative } from './exporter.js';
export { createTensorBoardTracker, type TensorBoardTrackerOptions } from './tracker.js';
export { EventFileWriter, type EventFileWriterOptions } from './writer/event-file-writer.js';
export { eventFileName } from './writer/paths.js';
/** Core's `safeSegment` (the 'unicode' charset names TensorBoard's run directories). */
export { safeSegment } from '@metrics/core/backend';
export { crc32c, maskCrc, unmaskCrc, maskedCrc32c } from './crc32c.js';
export { bucketValues } from './histogram.js';
export * from './reader/index.js';
export { tensorboard, tensorBoardOptionsSchema, type TensorBoardOptions } from './settings.js';

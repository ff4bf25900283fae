import type { MessageSchema } from './reader.js';

/** Decoding tables for the records we write (and a few neighbours), for our reader and tests. */
const item: MessageSchema = {
  1: { name: 'key', type: 'string' },
  2: { name: 'nested_key', type: 'string', repeated: true },
  16: { name: 'value_json', type: 'string' },
};
const update: MessageSchema = {
  1: { name: 'update', type: item, repeated: true },
  2: { name: 'remove', type: item, repeated: true },
};
const timestamp: MessageSchema = { 1: { name: 'seconds', type: 'int' }, 2: { name: 'nanos', type: 'int' } };

export const RecordSchema: MessageSchema = {
  1: { name: 'num', type: 'int' },
  2: { name: 'history', type: { 1: { name: 'item', type: item, repeated: true }, 2: { name: 'step', type: { 1: { name: 'num', type: 'int' } } } } },
  3: { name: 'summary', type: update },
  4: { name: 'output', type: {} },
  5: { name: 'config', type: update },
  6: {
    name: 'files',
    type: { 1: { name: 'files', repeated: true, type: { 1: { name: 'path', type: 'string' }, 2: { name: 'policy', type: 'enum' }, 3: { name: 'type', type: 'enum' } } } },
  },
  7: { name: 'stats', type: { 1: { name: 'stats_type', type: 'enum' }, 2: { name: 'timestamp', type: timestamp }, 3: { name: 'item', type: item, repeated: true } } },
  8: { name: 'artifact', type: {} },
  9: { name: 'tbrecord', type: {} },
  10: { name: 'alert', type: {} },
  11: { name: 'telemetry', type: {} },
  12: {
    name: 'metric',
    type: {
      1: { name: 'name', type: 'string' },
      2: { name: 'glob_name', type: 'string' },
      4: { name: 'step_metric', type: 'string' },
      6: { name: 'options', type: { 1: { name: 'step_sync', type: 'bool' }, 2: { name: 'hidden', type: 'bool' }, 3: { name: 'defined', type: 'bool' } } },
    },
  },
  13: { name: 'output_raw', type: { 1: { name: 'output_type', type: 'enum' }, 2: { name: 'timestamp', type: timestamp }, 3: { name: 'line', type: 'string' } } },
  16: { name: 'control', type: {} },
  17: {
    name: 'run',
    type: {
      1: { name: 'run_id', type: 'string' },
      2: { name: 'entity', type: 'string' },
      3: { name: 'project', type: 'string' },
      4: { name: 'config', type: update },
      6: { name: 'run_group', type: 'string' },
      7: { name: 'job_type', type: 'string' },
      8: { name: 'display_name', type: 'string' },
      9: { name: 'notes', type: 'string' },
      10: { name: 'tags', type: 'string', repeated: true },
      13: { name: 'host', type: 'string' },
      14: { name: 'starting_step', type: 'int' },
      17: { name: 'start_time', type: timestamp },
      18: { name: 'resumed', type: 'bool' },
    },
  },
  18: { name: 'exit', type: { 1: { name: 'exit_code', type: 'int' }, 2: { name: 'runtime', type: 'int' }, 3: { name: 'not_complete', type: 'bool' } } },
  19: { name: 'uuid', type: 'string' },
  20: { name: 'final', type: {} },
  21: { name: 'header', type: { 1: { name: 'version_info', type: { 1: { name: 'producer', type: 'string' }, 2: { name: 'min_consumer', type: 'string' } } } } },
  22: { name: 'footer', type: {} },
  23: { name: 'preempting', type: {} },
  25: { name: 'use_artifact', type: {} },
  26: { name: 'environment', type: {} },
  27: { name: 'output_logger', type: {} },
};

/** Names of the `record_type` oneof members, to tell which one a decoded record carries. */
export const RECORD_TYPES = [
  'history', 'summary', 'output', 'config', 'files', 'stats', 'artifact', 'tbrecord', 'alert', 'telemetry', 'metric',
  'output_raw', 'run', 'exit', 'final', 'header', 'footer', 'preempting', 'use_artifact', 'environment', 'output_logger',
] as const;

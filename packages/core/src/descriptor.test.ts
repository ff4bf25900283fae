import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  defineBackend,
  didYouMean,
  InvalidConfigError,
  isBackendSelection,
  parseOptions,
  resolveFactoryOptions,
  trackerOptionsSchema,
  type ExporterV1,
} from './backend.js';
import { InMemoryExporter } from './testing/in-memory-exporter.js';

describe('didYouMean', () => {
  it('finds case slips, typos and swaps; nothing when nothing is close', () => {
    expect(didYouMean('logdir', ['logDir', 'runDir', 'maxQueue'])).toBe('logDir');
    expect(didYouMean('strcit', ['strict', 'warn', 'normalize'])).toBe('strict');
    expect(didYouMean('tensorbordLogDir', ['tensorboardLogDir', 'tensorboardLogging'])).toBe('tensorboardLogDir');
    expect(didYouMean('ofline', ['online', 'offline', 'disabled'])).toBe('offline');
    expect(didYouMean('banana', ['logDir', 'runDir'])).toBeUndefined();
    expect(didYouMean('x', ['logDir'])).toBeUndefined();
  });
});

describe('parseOptions', () => {
  const schema = z.strictObject({ logDir: z.string().optional(), nested: z.strictObject({ intervalMs: z.number() }).optional() });
  it('unknown keys, also nested, are named with the option they resemble; unrelated ones list the options', () => {
    try {
      parseOptions(schema, { logdir: 'x', nested: { intervalMS: 1 }, zzz: 1 }, 'test options');
      expect.unreachable();
    } catch (error) {
      expect(InvalidConfigError.isInstance(error)).toBe(true);
      expect((error as InvalidConfigError).issues).toEqual(
        expect.arrayContaining([
          { path: 'logdir', message: 'unknown option; did you mean `logDir`?' },
          { path: 'nested.intervalMS', message: expect.stringMatching(/did you mean `intervalMs`\?/) },
          { path: 'zzz', message: 'unknown option (the options are: logDir, nested)' },
        ]),
      );
    }
  });

  it('the tracker options are strict too', () => {
    const parse = () => parseOptions(trackerOptionsSchema, { validation: 'strcit', closeTimeoutMs: -1, handleexit: false }, 'tracker options');
    expect(parse).toThrow(/validation: .*did you mean `strict`\?/);
    expect(parse).toThrow(/closeTimeoutMs: closeTimeoutMs must be positive/);
    expect(parse).toThrow(/handleexit: unknown option; did you mean `handleExit`\?/);
  });
});

describe('defineBackend', () => {
  const memory = defineBackend<{ label?: string; size?: number }, undefined>({
    name: 'memory',
    optionsSchema: z.strictObject({ label: z.string().min(1).optional(), size: z.number().int().positive().optional() }),
    fromEnv: (env) => ({ label: env.MEMORY_LABEL || undefined }),
    envVars: { label: 'MEMORY_LABEL' },
    defaults: { fullQueue: 'drop' },
    create: (options) => new InMemoryExporter(options.label ?? 'memory') as unknown as ExporterV1<undefined>,
  });

  it('is callable: memory({ … }) selects it with validated options; bad ones fail at once', () => {
    const chosen = memory({ size: 3 });
    expect(isBackendSelection(chosen)).toBe(true);
    expect(chosen.backend).toBe(memory);
    expect(chosen.options).toEqual({ size: 3 });
    expect(memory.name).toBe('memory');
    expect(() => memory({ sise: 3 } as never)).toThrow(/sise: unknown option; did you mean `size`\?/);
    expect(() => memory({ size: -1 })).toThrow(InvalidConfigError);
  });

  it('resolve: the environment under explicit options; a bad variable is named', () => {
    expect(memory.resolve({}, { MEMORY_LABEL: 'env' })).toEqual({ label: 'env' });
    expect(memory.resolve({ label: 'mine' }, { MEMORY_LABEL: 'env' })).toEqual({ label: 'mine' });
    expect(memory.check({ size: 2 }, { MEMORY_LABEL: '' })).toEqual({ ok: true, data: { size: 2 } });
    expect(() => memory.resolve('x')).toThrow(/must be an object \(got a string\)/);
  });

  it('resolveFactoryOptions: a factory`s own schema over the backend`s environment, with its `env` option', () => {
    const schema = trackerOptionsSchema.extend({ label: z.string().min(2, 'label too short').optional(), env: z.record(z.string(), z.string()).optional() });
    expect(() => resolveFactoryOptions(memory, schema, { env: { MEMORY_LABEL: 'x' } }, 'memory tracker options')).toThrow(
      /label: from the environment variable MEMORY_LABEL: label too short \(fix or unset it\)/,
    );
    expect(resolveFactoryOptions(memory, schema, { env: { MEMORY_LABEL: 'xy' }, runName: 'r' }, 'memory tracker options')).toMatchObject({
      label: 'xy',
      runName: 'r',
    });
  });
});

import { describe, expect, it } from 'vitest';
import { InvalidCallError, InvalidMetricValueError } from '../errors.js';
import { createLogger } from '../logger.js';
import { InMemoryExporter } from '../testing/in-memory-exporter.js';
import { createTracker } from '../tracker.js';
import { artifactAliasProblem, artifactNameProblem, artifactTypeProblem, suggestArtifactName } from './artifacts.js';

function setup(validation?: 'strict' | 'warn') {
  const lines: string[] = [];
  const exporter = new InMemoryExporter();
  const tracker = createTracker({
    exporters: [exporter],
    experiment: 'exp',
    runName: 'run',
    handleExit: false,
    validation,
    logger: createLogger({ sink: (_l, line) => lines.push(line) }),
  });
  return { tracker, exporter, lines };
}

describe('logArtifact options', () => {
  it('passes name, aliases (deduplicated) and input to the record', async () => {
    const { tracker, exporter } = setup();
    tracker.logArtifact('/tmp/model', { artifactPath: 'm', type: 'model', name: 'mnist-mlp', aliases: ['best', 'best'], input: false });
    tracker.logArtifact('/tmp/train.csv', { type: 'dataset', input: true });
    await tracker.close();
    expect(exporter.records).toEqual([
      { kind: 'artifact', wallTime: expect.any(Number), localPath: '/tmp/model', artifactPath: 'm', type: 'model', name: 'mnist-mlp', aliases: ['best'] },
      { kind: 'artifact', wallTime: expect.any(Number), localPath: '/tmp/train.csv', artifactPath: '', type: 'dataset', input: true },
    ]);
  });

  it('throws at once for a wrong shape or an unknown option, in every mode', () => {
    const { tracker } = setup();
    expect(() => tracker.logArtifact('/tmp/m', { alias: ['best'] } as never)).toThrow(InvalidCallError);
    expect(() => tracker.logArtifact('/tmp/m', { aliases: 'best' } as never)).toThrow(/array of strings/);
    expect(() => tracker.logArtifact('/tmp/m', { input: 'yes' } as never)).toThrow(/true or false/);
    expect(() => tracker.logArtifact('/tmp/m', { name: 7 } as never)).toThrow(/must be a string/);
    expect(() => tracker.logArtifact('/tmp/m', 'model' as never)).toThrow(/options object/);
  });

  it('bad names, types and aliases: strict throws naming the fix; warn skips once and counts', async () => {
    const strict = setup('strict');
    expect(() => strict.tracker.logArtifact('/tmp/m', { name: 'my model' })).toThrow(InvalidMetricValueError);
    expect(() => strict.tracker.logArtifact('/tmp/m', { name: 'my model' })).toThrow("pass { name: 'my-model' }");
    const warn = setup();
    warn.tracker.logArtifact('/tmp/m', { type: 'wandb-history' });
    warn.tracker.logArtifact('/tmp/m', { aliases: ['v3'] });
    await warn.tracker.close();
    expect(warn.exporter.records).toEqual([]);
    expect(warn.tracker.stats().skipped).toBe(2);
    expect(warn.lines.join('\n')).toContain('reserved by W&B');
    expect(warn.lines.join('\n')).toContain('W&B version name');
  });

  it('follows W&B limits', () => {
    expect(artifactNameProblem('a'.repeat(128))).toBeUndefined();
    expect(artifactNameProblem('a'.repeat(129))).toMatch(/1 to 128/);
    expect(artifactNameProblem('mnist_v1.2-final')).toBeUndefined();
    expect(artifactNameProblem('a:b')).toBeDefined();
    expect(artifactTypeProblem('job')).toMatch(/reserved/);
    expect(artifactTypeProblem('model checkpoint')).toContain("{ type: 'model-checkpoint' }");
    expect(artifactAliasProblem('best model!')).toBeUndefined(); // aliases may hold anything but '/' and ':'
    expect(artifactAliasProblem('a/b')).toBeDefined();
    expect(suggestArtifactName('../../etc/passwd')).toBe('..-..-etc-passwd');
    expect(suggestArtifactName('   ')).toBe('artifact');
  });
});

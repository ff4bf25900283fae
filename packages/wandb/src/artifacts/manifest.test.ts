import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ArtifactRecord } from '@metrics/core/backend';
import { ArtifactProblem, artifactIdentity, entryPath, manifestDigest, manifestJson, prepareArtifact } from './manifest.js';

const record = (localPath: string, more: Partial<ArtifactRecord> = {}): ArtifactRecord => ({
  kind: 'artifact',
  wallTime: 0,
  localPath,
  artifactPath: '',
  ...more,
});

describe('W&B artifact manifests', () => {
  it('digests files as the Python SDK does', () => {
    // Values from wandb 0.31: `Artifact.add_file('a.txt')` ("hello world\n") and `add_file('b.bin', name='sub/b.bin')`
    // ("abc") logged offline; its artifact record carried these entry digests and this artifact digest.
    const dir = mkdtempSync(join(tmpdir(), 'wandb-manifest-'));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'a.txt'), 'hello world\n');
    writeFileSync(join(dir, 'sub', 'b.bin'), 'abc');
    const a = prepareArtifact(record(dir, { name: 'my-model' }));
    expect(a.entries.map((e) => [e.path, e.digest, e.size])).toEqual([
      [`${dir.split('/').pop()}/a.txt`, 'b1kCrCNwJL3QwXbLkwY9xA==', 12],
      [`${dir.split('/').pop()}/sub/b.bin`, 'kAFQmDzST7DWlj99KOF/cg==', 3],
    ]);
    expect(
      manifestDigest([
        { path: 'sub/b.bin', digest: 'kAFQmDzST7DWlj99KOF/cg==' },
        { path: 'a.txt', digest: 'b1kCrCNwJL3QwXbLkwY9xA==' },
      ]),
    ).toBe('85cda74da38366ef6cf054d43b739196');
    expect(a).toMatchObject({ name: 'my-model', type: 'model', aliases: ['latest'], input: false });
  });

  it('writes the manifest file wandb-core uploads', () => {
    const json = JSON.parse(
      manifestJson([{ path: 'm/w.bin', localPath: '/x', size: 3, digest: 'kAFQmDzST7DWlj99KOF/cg==' }], new Map([['m/w.bin', 'QXJ0MQ==']])),
    );
    expect(json).toEqual({
      version: 1,
      storagePolicy: 'wandb-storage-policy-v1',
      storagePolicyConfig: { storageLayout: 'V2' },
      contents: { 'm/w.bin': { digest: 'kAFQmDzST7DWlj99KOF/cg==', birthArtifactID: 'QXJ0MQ==', size: 3 } },
    });
  });

  it('stages a copy read-only and keeps the logged bytes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wandb-manifest-'));
    writeFileSync(join(dir, 'model.bin'), 'v1');
    const stage = join(dir, 'stage');
    const a = prepareArtifact(record(join(dir, 'model.bin'), { artifactPath: 'ckpt' }), stage);
    writeFileSync(join(dir, 'model.bin'), 'v2');
    expect(a.entries[0]!.localPath).toBe(join(stage, 'ckpt', 'model.bin'));
    expect(readFileSync(a.entries[0]!.localPath, 'utf8')).toBe('v1');
  });

  it('keeps every entry inside the artifact and does not follow symbolic links', () => {
    expect(entryPath('a/./b//', 'c')).toBe('a/b/c');
    expect(entryPath('\\\\a\\b', 'c')).toBe('a/b/c');
    expect(() => entryPath('../../etc', 'passwd')).toThrow(ArtifactProblem);
    expect(() => entryPath('a/..', 'x')).toThrow(/leaves the artifact/);
    const dir = mkdtempSync(join(tmpdir(), 'wandb-manifest-'));
    mkdirSync(join(dir, 'model'));
    writeFileSync(join(dir, 'model', 'w.bin'), 'w');
    symlinkSync('/etc/passwd', join(dir, 'model', 'passwd'));
    expect(prepareArtifact(record(join(dir, 'model'))).entries.map((e) => e.path)).toEqual(['model/w.bin']);
    expect(() => prepareArtifact(record(join(dir, 'model', 'passwd')))).toThrow(/not a file or directory/);
  });

  it('defaults the name to the file name made valid, and refuses bad names, types and aliases naming the fix', () => {
    expect(artifactIdentity(record('/tmp/my model (final).bin'))).toEqual({ name: 'my-model-final-.bin', type: 'model', aliases: ['latest'] });
    expect(artifactIdentity(record('/tmp/x', { aliases: ['latest', 'best', 'best'] })).aliases).toEqual(['best', 'latest']);
    expect(() => artifactIdentity(record('/tmp/x', { name: 'a/b' }))).toThrow("pass { name: 'a-b' }");
    expect(() => artifactIdentity(record('/tmp/x', { type: 'job' }))).toThrow(/reserved by W&B/);
    expect(() => artifactIdentity(record('/tmp/x', { aliases: ['a:b'] }))).toThrow(/no '\/' or ':'/);
    expect(() => prepareArtifact(record('/nonexistent/x.bin'))).toThrow(/cannot read/);
    const empty = mkdtempSync(join(tmpdir(), 'wandb-manifest-'));
    expect(() => prepareArtifact(record(empty))).toThrow(/holds no files/);
    expect(existsSync(empty)).toBe(true);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@metrics/core';
import { runExporterConformance } from '@metrics/core/test/vitest';
import { createWandbExporter } from './exporter.js';
import { itemsToObject, readWandbFile } from './log/records.js';
import type { OfflineNative } from './offline/offline-exporter.js';
import { startFakeWandbServer } from './testing/fake-wandb-server.js';

const silent = createLogger({ level: 'silent' });

/** Scalars back from history rows: the canonical step is the `global_step` column. */
function scalarsFromRows(rows: Record<string, unknown>[]) {
  const out: { name: string; value: number; step: number }[] = [];
  for (const row of rows)
    for (const [name, value] of Object.entries(row))
      if (!name.startsWith('_') && name !== 'global_step' && typeof value === 'number') out.push({ name, value, step: row.global_step as number });
  return out;
}

runExporterConformance('wandb (offline)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wandb-conf-'));
  const exporter = createWandbExporter({ mode: 'offline', dir, logger: silent, env: {} });
  return {
    exporter,
    readScalars: async () => {
      const file = (exporter.native() as OfflineNative).wandbFile!;
      return scalarsFromRows(
        readWandbFile(file)
          .records.filter((r) => r.type === 'history')
          .map((r) => itemsToObject(r.data.item)),
      );
    },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

runExporterConformance('wandb (online, loopback server)', async () => {
  const server = await startFakeWandbServer();
  const exporter = createWandbExporter({
    mode: 'online',
    apiKey: 'c'.repeat(40),
    baseUrl: server.url,
    logger: silent,
    env: {},
    fileStream: { intervalMs: 10 },
  });
  return {
    exporter,
    readScalars: async () => scalarsFromRows(server.history(exporter.runIds().runId!)),
    cleanup: () => server.close(),
  };
});

/**
 * Looked at as a user would: the demo's output (its evaluation table, PR curves and confusion matrix)
 * plus a run with an audio clip, opened in Debian's Chromium (headless, driven by Playwright) in the
 * real TensorBoard dashboard (Rust data server) and the real MLflow UI. Each check is on the rendered
 * page — the chart's SVG line, the table's cells, a playable <audio>, a loaded <img> — and every view is
 * saved as a PNG under the test's temp dir (paths printed), checked to be a real picture.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureChromium,
  ensureVenv,
  launchChromium,
  startMlflowServer,
  startTensorBoard,
  type Browser,
  type MlflowServer,
  type Page,
  type TensorBoard,
} from '@metrics/oracle';
import { openPage, screenshot, type PngCheck } from './support/screenshots-browser.js';
import { AUDIO_RUN, AUDIO_SECONDS, AUDIO_TAG, CLASSES, DEMO_RUN, EXPERIMENT, logAudioRun, runDemo, tensorboardLogDir } from './support/screenshots-run.js';

const LONG = 15 * 60_000;
const UI_WAIT = 180_000; // the machine is shared and slow: the UIs get minutes to render
const shots = mkdtempSync(join(tmpdir(), 'metrics-screenshots-'));
const out = mkdtempSync(join(tmpdir(), 'metrics-screenshots-demo-'));

let server: MlflowServer;
let tb: TensorBoard;
let browser: Browser;
let experimentId: string;
const runIds: Record<string, string> = {};

beforeAll(async () => {
  await Promise.all([ensureChromium(), ensureVenv()]);
  server = await startMlflowServer();
  await runDemo(out, server.url);
  await logAudioRun(tensorboardLogDir(out), server.url);
  tb = await startTensorBoard(tensorboardLogDir(out));
  await tb.waitForRuns([`${EXPERIMENT}/${DEMO_RUN}`, `${EXPERIMENT}/${AUDIO_RUN}`]);
  await waitForPluginTags(tb, ['pr_curves', 'text', 'audio']);
  experimentId = await mlflowExperimentId(server.url);
  Object.assign(runIds, await mlflowRunIds(server.url, experimentId));
  browser = await launchChromium();
  process.stdout.write(`screenshots go to ${shots}\n`);
}, LONG);

afterAll(async () => {
  await browser?.close();
  await tb?.stop();
  await server?.stop();
  rmSync(out, { recursive: true, force: true }); // the screenshots stay, for a person to look at
});

/** A PNG that shows something: not tiny, many colours (a blank or one-colour page has one or two). */
function expectRealPicture(png: PngCheck): void {
  expect(png.bytes, png.path).toBeGreaterThan(20_000);
  expect(png.width, png.path).toBeGreaterThanOrEqual(1000);
  expect(png.colours, png.path).toBeGreaterThan(50);
}

describe('TensorBoard dashboard (real tensorboard, Rust data server) in headless Chromium', () => {
  it('PR curves: a chart with a drawn line for each class', async () => {
    const { page, blocked } = await openPage(browser);
    await page.goto(`${tb.url}/#pr_curves`);
    for (const name of CLASSES) {
      const card = page.locator('tf-pr-curve-card').filter({ hasText: `evaluation/pr_curve/${name}` });
      await card.locator('svg').first().waitFor({ timeout: UI_WAIT });
      // The line is drawn: a path through many distinct points (setosa's is vertical, so not "visible"
      // to Playwright's box test: its width is 0).
      const line = card.locator('svg path.line');
      await expect.poll(async () => distinctPoints(await line.getAttribute('d').catch(() => null)), { timeout: UI_WAIT }).toBeGreaterThan(2);
    }
    expectRealPicture(await screenshot(page, shots, 'tensorboard-pr-curves'));
    expect(blocked).toEqual([]);
  });

  it('text: the predictions table and the confusion matrix as HTML tables', async () => {
    const { page } = await openPage(browser);
    await page.goto(`${tb.url}/#text`);
    const predictions = page.locator('tf-text-loader').filter({ hasText: 'tag: evaluation/predictions' }).locator('table');
    await predictions.waitFor({ timeout: UI_WAIT });
    expect(await predictions.locator('th').allTextContents()).toEqual(['row', 'actual', 'predicted', 'confidence']);
    const rows = await tableRows(predictions);
    expect(rows).toHaveLength(30); // the demo's validation split
    for (const [i, [row, actual, predicted, confidence]] of rows.entries()) {
      expect(row).toBe(String(i));
      expect(CLASSES).toContain(actual);
      expect(CLASSES).toContain(predicted);
      expect(Number(confidence)).toBeGreaterThan(0);
    }

    const confusion = page.locator('tf-text-loader').filter({ hasText: 'tag: evaluation/confusion' }).locator('table');
    await confusion.waitFor({ timeout: UI_WAIT });
    expect(await confusion.locator('th').allTextContents()).toEqual(['actual \\ predicted', ...CLASSES]);
    const matrix = await tableRows(confusion);
    expect(matrix.map((r) => r[0])).toEqual(CLASSES);
    // Every validation example counted once; the diagonal agrees with the predictions table.
    expect(matrix.flatMap((r) => r.slice(1).map(Number)).reduce((a, b) => a + b, 0)).toBe(30);
    const correct = rows.filter((r) => r[1] === r[2]).length;
    expect(matrix.reduce((sum, r, i) => sum + Number(r[i + 1]), 0)).toBe(correct);

    await predictions.scrollIntoViewIfNeeded();
    expectRealPicture(await screenshot(page, shots, 'tensorboard-text-tables'));
  });

  it('audio: a playable <audio> for our clip, of the right length', async () => {
    const { page } = await openPage(browser);
    await page.goto(`${tb.url}/#audio`);
    const audio = page.locator('tf-audio-loader').filter({ hasText: AUDIO_TAG }).locator('audio');
    await audio.waitFor({ timeout: UI_WAIT });
    expect(await audio.getAttribute('src')).toContain('individualAudio');
    // The browser fetched and decoded the WAV: its metadata says 0.5 s.
    await expect.poll(() => audio.evaluate((a: HTMLAudioElement) => a.readyState), { timeout: UI_WAIT }).toBeGreaterThanOrEqual(1);
    expect(await audio.evaluate((a: HTMLAudioElement) => a.duration)).toBeCloseTo(AUDIO_SECONDS, 2);
    expect(await audio.evaluate((a: HTMLAudioElement) => a.error)).toBeNull();
    expectRealPicture(await screenshot(page, shots, 'tensorboard-audio'));
  });
});

describe('MLflow run page (real mlflow server) in headless Chromium', () => {
  it('artifacts: the predictions table rendered as a table, the confusion matrix image loaded', async () => {
    const { page, blocked } = await openPage(browser);
    await page.goto(`${server.url}/#/experiments/${experimentId}/runs/${runIds[DEMO_RUN]}/artifacts`);
    await closeAssistant(page);
    for (const folder of ['images', 'tables']) await treeItem(page, folder).waitFor({ timeout: UI_WAIT });

    for (const name of ['tables', 'evaluation', 'predictions']) await treeItem(page, name).click();
    await treeItem(page, /^step_\d+\.json$/).click();
    // "View as table": the UI reads the JSON as a table because mlflow.loggedArtifacts lists it.
    const headers = page.getByRole('columnheader');
    await headers.first().waitFor({ timeout: UI_WAIT });
    expect(await headers.allTextContents()).toEqual(['row', 'actual', 'predicted', 'confidence']);
    const cells = page.getByRole('row').nth(1).getByRole('cell');
    expect(await cells.allTextContents()).toEqual(expect.arrayContaining(['0']));
    expect(CLASSES).toContain((await cells.nth(1).textContent())?.trim());
    expectRealPicture(await screenshot(page, shots, 'mlflow-table'));

    await treeItem(page, 'images').click();
    await treeItem(page, /^evaluation~confusion\+step\+\d+\+.*\.png$/).click();
    const image = page.locator('img[src^="blob:"]').first();
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: UI_WAIT }).toBeGreaterThan(0);
    expectRealPicture(await screenshot(page, shots, 'mlflow-confusion-matrix'));
    expect(blocked).toEqual([]);
  });

  it('artifacts: the WAV plays in the audio preview', async () => {
    const { page } = await openPage(browser);
    await page.goto(`${server.url}/#/experiments/${experimentId}/runs/${runIds[AUDIO_RUN]}/artifacts`);
    await closeAssistant(page);
    for (const name of ['audio', 'evaluation', 'tone']) await treeItem(page, name).click();
    await treeItem(page, /^step_1\.wav$/).click();
    const audio = page.locator('audio');
    await audio.first().waitFor({ state: 'attached', timeout: UI_WAIT });
    await expect.poll(() => audio.first().evaluate((a: HTMLAudioElement) => a.readyState), { timeout: UI_WAIT }).toBeGreaterThanOrEqual(1);
    expect(await audio.first().evaluate((a: HTMLAudioElement) => a.duration)).toBeCloseTo(AUDIO_SECONDS, 2);
    expectRealPicture(await screenshot(page, shots, 'mlflow-audio'));
  });
});

/** Distinct points of an SVG path's `d` ("Mx,yLx,y…"). */
function distinctPoints(d: string | null): number {
  return new Set(d?.split(/[ML]/).filter(Boolean)).size;
}

async function tableRows(table: ReturnType<Page['locator']>): Promise<string[][]> {
  return table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => (td.textContent ?? '').trim())));
}

/** An entry of the run page's artifact tree, by its exact label. */
function treeItem(page: Page, name: string | RegExp) {
  return page.getByText(name, { exact: true }).first();
}

/** MLflow 3 opens its Assistant panel beside the run; close it so the run fills the screenshot. */
async function closeAssistant(page: Page): Promise<void> {
  const close = page.getByRole('button', { name: 'Close', exact: true });
  try {
    await close.click({ timeout: 30_000 });
  } catch {
    /* not shown in this MLflow version */
  }
}

async function waitForPluginTags(server: TensorBoard, plugins: string[]): Promise<void> {
  const deadline = Date.now() + UI_WAIT;
  for (;;) {
    const listing = await server.getJson<Record<string, { enabled: boolean }>>('/data/plugins_listing');
    if (plugins.every((p) => listing[p]?.enabled)) return;
    if (Date.now() > deadline) throw new Error(`tensorboard: plugins ${plugins.join(', ')} not all enabled: ${JSON.stringify(listing)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function mlflowExperimentId(url: string): Promise<string> {
  const res = await fetch(`${url}/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(EXPERIMENT)}`);
  const body = (await res.json()) as { experiment: { experiment_id: string } };
  return body.experiment.experiment_id;
}

async function mlflowRunIds(url: string, experimentId: string): Promise<Record<string, string>> {
  const res = await fetch(`${url}/api/2.0/mlflow/runs/search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ experiment_ids: [experimentId], max_results: 10 }),
  });
  const body = (await res.json()) as { runs: { info: { run_id: string; run_name: string } }[] };
  return Object.fromEntries(body.runs.map((r) => [r.info.run_name, r.info.run_id]));
}

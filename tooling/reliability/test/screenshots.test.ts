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
import { experimentIdByName, getArtifact, listArtifacts, pngSize, runIdsByName } from './support/screenshots-mlflow.js';
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
  experimentId = await experimentIdByName(server.url, EXPERIMENT);
  Object.assign(runIds, await runIdsByName(server.url, experimentId));
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
    // As a user would with many text tags (config, datasets, tags …, and the fold runs'): filter to the evaluation's,
    // so their cards are on screen (the dashboard loads a card's text when it scrolls into view).
    await page.locator('tf-tag-filterer input').fill('^evaluation/');
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
    await expect.poll(() => audio.evaluate((a: MediaLike) => a.readyState), { timeout: UI_WAIT }).toBeGreaterThanOrEqual(1);
    expect(await audio.evaluate((a: MediaLike) => a.duration)).toBeCloseTo(AUDIO_SECONDS, 2);
    expect(await audio.evaluate((a: MediaLike) => a.error)).toBeNull();
    expectRealPicture(await screenshot(page, shots, 'tensorboard-audio'));
  });
});

describe('MLflow run page (real mlflow server) in headless Chromium', () => {
  const runPage = (run: string) => `${server.url}/#/experiments/${experimentId}/runs/${runIds[run]}/artifacts`;

  it('artifacts: the predictions table JSON shown as a table with our cells', async () => {
    const { page, blocked } = await openPage(browser);
    await page.goto(runPage(DEMO_RUN));
    await closeAssistant(page);
    for (const folder of ['images', 'tables']) await treeItem(page, folder).waitFor({ timeout: UI_WAIT });
    for (const name of ['tables', 'evaluation', 'predictions']) await treeItem(page, name).click();
    const [file] = await listArtifacts(server.url, runIds[DEMO_RUN]!, 'tables/evaluation/predictions');
    const logged = JSON.parse((await getArtifact(server.url, runIds[DEMO_RUN]!, file!)).toString()) as { columns: string[]; data: unknown[][] };
    await treeItem(page, file!.split('/').at(-1)!).click();
    // "View as table": the UI reads the JSON as a table because our mlflow.loggedArtifacts tag lists it.
    const headers = page.getByRole('columnheader');
    await headers.first().waitFor({ timeout: UI_WAIT });
    expect(await headers.allTextContents()).toEqual(logged.columns);
    const firstRow = (await page.getByRole('row').nth(1).getByRole('cell').allTextContents()).map((c) => c.trim());
    expect(firstRow.slice(0, 3)).toEqual(logged.data[0]!.slice(0, 3).map(String));
    expect(Number(firstRow[3])).toBeCloseTo(logged.data[0]![3] as number, 6);
    expectRealPicture(await screenshot(page, shots, 'mlflow-table'));

    // The confusion matrix's table: one row per (actual, predicted) pair.
    // Fold `predictions` first: both folders hold a step_<n>.json.
    await treeItem(page, 'predictions').click();
    await treeItem(page, 'confusion').click();
    const [matrixFile] = await listArtifacts(server.url, runIds[DEMO_RUN]!, 'tables/evaluation/confusion');
    await treeItem(page, matrixFile!.split('/').at(-1)!).click();
    await page.getByRole('columnheader', { name: 'count' }).waitFor({ timeout: UI_WAIT });
    expect(await headers.allTextContents()).toEqual(['actual', 'predicted', 'count']);
    const pairs = await page.getByRole('row').evaluateAll((rows: { textContent: string | null }[]) => rows.length);
    expect(pairs).toBe(1 + CLASSES.length ** 2); // header + every (actual, predicted) pair
    expectRealPicture(await screenshot(page, shots, 'mlflow-confusion-table'));
    expect(blocked).toEqual([]);
  });

  it('artifacts: the confusion matrix and PR curve images listed by name and loaded', async () => {
    const { page } = await openPage(browser);
    await page.goto(runPage(DEMO_RUN));
    await closeAssistant(page);
    await treeItem(page, 'images').click();
    const pngs = (await listArtifacts(server.url, runIds[DEMO_RUN]!, 'images')).filter((p) => p.endsWith('.png'));
    const names = pngs.map((p) => p.split('/').at(-1)!);
    for (const name of names) await treeItem(page, name).waitFor({ timeout: UI_WAIT });
    for (const prefix of ['evaluation~confusion+', ...CLASSES.map((c) => `evaluation~pr_curve~${c}+`)]) {
      const name = names.find((n) => n.startsWith(prefix));
      expect(name, `${prefix}… among ${names.join(', ')}`).toBeDefined();
      await treeItem(page, name!).click();
      const expected = pngSize(await getArtifact(server.url, runIds[DEMO_RUN]!, `images/${name}`));
      // The preview shows the file just clicked, decoded by the browser at our PNG's size.
      const image = page.locator('img[src^="blob:"]').first();
      await expect
        .poll(() => image.evaluate((img: ImageLike) => (img.complete ? [img.naturalWidth, img.naturalHeight] : [])), { timeout: UI_WAIT })
        .toEqual([expected.width, expected.height]);
      if (prefix === 'evaluation~confusion+') expectRealPicture(await screenshot(page, shots, 'mlflow-confusion-matrix'));
    }
    expectRealPicture(await screenshot(page, shots, 'mlflow-pr-curve'));
  });

  it('artifacts: the WAV plays in the audio preview', async () => {
    const { page } = await openPage(browser);
    await page.goto(runPage(AUDIO_RUN));
    await closeAssistant(page);
    for (const name of ['audio', 'evaluation', 'tone']) await treeItem(page, name).click();
    await treeItem(page, /^step_1\.wav$/).click();
    const audio = page.locator('audio');
    await audio.first().waitFor({ state: 'attached', timeout: UI_WAIT });
    await expect.poll(() => audio.first().evaluate((a: MediaLike) => a.readyState), { timeout: UI_WAIT }).toBeGreaterThanOrEqual(1);
    expect(await audio.first().evaluate((a: MediaLike) => a.duration)).toBeCloseTo(AUDIO_SECONDS, 2);
    expectRealPicture(await screenshot(page, shots, 'mlflow-audio'));
  });
});

// The few DOM fields read in the page (the package's tsconfig has no DOM lib).
type MediaLike = { readyState: number; duration: number; error: unknown };
type ImageLike = { complete: boolean; naturalWidth: number; naturalHeight: number };
type RowLike = { querySelectorAll(selector: 'td'): ArrayLike<{ textContent: string | null }> };

/** Distinct points of an SVG path's `d` ("Mx,yLx,y…"). */
function distinctPoints(d: string | null): number {
  return new Set(d?.split(/[ML]/).filter(Boolean)).size;
}

async function tableRows(table: ReturnType<Page['locator']>): Promise<string[][]> {
  return table
    .locator('tbody tr')
    .evaluateAll((trs: RowLike[]) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => (td.textContent ?? '').trim())));
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

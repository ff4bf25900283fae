import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureChromium, findChromium, launchChromium } from './chromium.js';

describe('Chromium guards (never skip silently)', () => {
  const empty = mkdtempSync(join(tmpdir(), 'oracle-chromium-'));
  afterAll(() => rmSync(empty, { recursive: true, force: true }));

  it('a METRICS_CHROMIUM that does not run is an error naming what to install', () => {
    expect(() => findChromium({ METRICS_CHROMIUM: join(empty, 'no-such-chromium'), PATH: process.env.PATH }, true)).toThrow(
      /METRICS_CHROMIUM=.*does not run.*apt-get install chromium/,
    );
  });

  it('without chromium on PATH: install when apt can (root), else an error naming apt-get install chromium', () => {
    expect(findChromium({ PATH: empty }, true)).toBe('install');
    expect(() => findChromium({ PATH: empty }, false)).toThrow(/`chromium` is not on PATH.*apt-get install chromium/);
  });
});

describe('Debian Chromium, driven by Playwright', () => {
  it(
    'is installed (or installs itself) and renders a page in new headless mode',
    async () => {
      const chromium = await ensureChromium();
      expect(chromium.version).toMatch(/^Chromium \d+\./);
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        await page.setContent('<p id="p" style="color: rgb(200, 0, 0)">drawn</p>');
        expect(await page.locator('#p').evaluate((p: { getBoundingClientRect(): { width: number } }) => p.getBoundingClientRect().width)).toBeGreaterThan(0);
        const png = await page.screenshot();
        expect(png.subarray(1, 4).toString()).toBe('PNG');
        expect(browser.version()).toBe(chromium.version.split(' ')[1]);
      } finally {
        await browser.close();
      }
    },
    30 * 60_000,
  );
});

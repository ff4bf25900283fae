import { statSync } from 'node:fs';
import { join } from 'node:path';
import { runPython, type Browser, type Page } from '@metrics/oracle';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * A page in its own context. Requests leave only for loopback: the UIs' servers are here, and anything
 * else (fonts, telemetry) would go to the network, which the machine does not have (and must not try).
 */
export async function openPage(browser: Browser): Promise<{ page: Page; blocked: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1200 } });
  const blocked: string[] = [];
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === 'data:' || url.protocol === 'blob:' || LOOPBACK.has(url.hostname)) return route.continue();
    blocked.push(url.href);
    return route.abort();
  });
  const page = await context.newPage();
  page.setDefaultTimeout(120_000);
  page.setDefaultNavigationTimeout(120_000);
  return { page, blocked };
}

export interface PngCheck {
  path: string;
  bytes: number;
  width: number;
  height: number;
  /** Distinct RGB colours in the image. */
  colours: number;
}

const PNG_STATS = `import sys, json
from PIL import Image
im = Image.open(sys.argv[1])
rgb = im.convert('RGB')
colours = rgb.getcolors(maxcolors=1 << 24)
print(json.dumps({'format': im.format, 'width': im.width, 'height': im.height, 'colours': len(colours)}))`;

/**
 * Saves a screenshot of the page as `<dir>/<name>.png`, prints its path, and reads it back with Pillow
 * (from the oracle venv): the caller checks it is a real picture, not an empty or one-colour one.
 */
export async function screenshot(page: Page, dir: string, name: string): Promise<PngCheck> {
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  process.stdout.write(`screenshot: ${path}\n`);
  const read = await runPython<{ format: string; width: number; height: number; colours: number }>(PNG_STATS, { args: [path] });
  if (read.format !== 'PNG') throw new Error(`${path} is not a PNG (${read.format})`);
  return { path, bytes: statSync(path).size, width: read.width, height: read.height, colours: read.colours };
}

/**
 * What the end-to-end tests share: a data folder with the parrot model, recordings made by
 * ffmpeg, `tempo serve` in its own process, and Debian's Chromium driven by playwright-core.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { makeTinyQwen2VL } from '../fixtures/tiny-qwen2vl/generate.js';
import { makeVideo, type VideoRecipe } from '../fixtures/make-video.js';
import { startServer, tempHome } from '../support/tempo-cli.js';

export const ARTIFACTS = path.resolve('test-artifacts', 'e2e');

/** Three short clips with a white box from 2.2 s to 5.4 s; the parrot model answers "2-5" on each. */
export const CLIPS: VideoRecipe[] = ['white', 'yellow', 'red'].map((color, i) => ({
  durationS: 8 + i,
  width: 320,
  height: 180,
  events: [{ kind: 'box', from: 2.2, to: 5.4, x: 40 + 20 * i, y: 40, w: 80, h: 80, color }],
}));

export interface Workstation {
  home: string;
  videos: string;
  url: string;
  page: Page;
  /** Another window on the same server (as a second operator, or a second tab). */
  openPage(): Promise<Page>;
  stop(): Promise<void>;
  /** Rows of a table in the data folder's database, read while the server runs. */
  rows<T>(sql: string): T[];
}

let browser: Browser | undefined;

export async function launchBrowser(): Promise<Browser> {
  browser ??= await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
    ],
  });
  return browser;
}

export async function closeBrowser(): Promise<void> {
  await browser?.close();
  browser = undefined;
}

/**
 * A fresh data folder (with the parrot model unless `model` is false), the clips in a folder, the server and a page.
 * `seed` writes to the data folder before the server starts (e.g. a reviewed library in its database).
 */
export async function openWorkstation(
  opts: { model?: boolean; seed?: (home: string) => void | Promise<void> } = {},
): Promise<Workstation> {
  const home = tempHome();
  const videos = path.join(home, 'videos');
  fs.mkdirSync(videos);
  for (const [i, recipe] of CLIPS.entries())
    fs.copyFileSync(await makeVideo(recipe), path.join(videos, `camera-${i + 1}.mp4`));
  if (opts.model !== false)
    await makeTinyQwen2VL(path.join(home, 'models', 'parrot'), { contextTokens: 512, answer: '2-5' });
  await opts.seed?.(home);
  const server = await startServer<{ url: string }>(home, ['serve', '--port', '0']);
  const errors: string[] = [];
  const pages: Page[] = [];
  const openPage = async (): Promise<Page> => {
    const page = await (await launchBrowser()).newPage({ viewport: { width: 1280, height: 860 } });
    pages.push(page);
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(m.text());
    });
    await page.goto(server.info.url);
    return page;
  };
  const page = await openPage();
  return {
    home,
    videos,
    url: server.info.url,
    page,
    openPage,
    async stop() {
      for (const p of pages) await p.close();
      server.child.kill('SIGTERM');
      await server.done;
      if (errors.some((e) => /Content Security Policy|Refused to/.test(e)))
        throw new Error(`CSP: ${errors.join('\n')}`);
    },
    rows<T>(sql: string): T[] {
      const db = new Database(path.join(home, 'tempo.sqlite'), { readonly: true });
      try {
        return db.prepare(sql).all() as T[];
      } finally {
        db.close();
      }
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

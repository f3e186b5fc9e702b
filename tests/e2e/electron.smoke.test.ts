/**
 * Smoke test of the desktop app itself: launches the built Electron app (out/main/index.js,
 * built by the global setup) with playwright-core's `_electron` on a fresh data folder, and
 * checks that the Library view renders through the preload bridge, that an import works
 * and that its poster loads over the tempo-media: protocol.
 *
 * Skipped, with the reason printed, where Electron cannot start: its binary is downloaded
 * on first use (impossible offline, as on the build machines), or there is no display.
 * The binary is looked up without `require('electron')`, which would try that download.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { _electron as electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeVideo } from '../fixtures/make-video.js';
import { LibraryPage } from './pages/library-page.js';

const root = path.resolve(import.meta.dirname, '../..');

/** The installed Electron executable, or why there is none to launch. */
function electronBinary(): { bin: string } | { reason: string } {
  let dir: string;
  try {
    dir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return { reason: 'the electron package is not installed' };
  }
  const pathFile = path.join(dir, 'path.txt');
  if (!fs.existsSync(pathFile)) {
    return { reason: `the Electron binary is not installed (no ${pathFile}; it is downloaded on first use)` };
  }
  const name = fs.readFileSync(pathFile, 'utf8').trim();
  const override = process.env['ELECTRON_OVERRIDE_DIST_PATH'];
  const bin = override ? path.join(override, name || 'electron') : path.join(dir, 'dist', name);
  if (!fs.existsSync(bin)) return { reason: `the Electron binary is missing (${bin})` };
  if (process.platform === 'linux' && !process.env['DISPLAY'] && !process.env['WAYLAND_DISPLAY']) {
    return { reason: 'there is no display to open a window on (run under xvfb-run)' };
  }
  return { bin };
}

const found = electronBinary();
if ('reason' in found) console.warn(`electron.smoke: skipped: ${found.reason}`);

describe.skipIf('reason' in found)('the desktop app', () => {
  let home: string;
  let app: ElectronApplication;
  let page: Page;
  let library: LibraryPage;
  const errors: string[] = [];

  beforeAll(async () => {
    if (!('bin' in found)) return;
    expect(fs.existsSync(path.join(root, 'out/main/index.js')), 'out/main/index.js: run electron-vite build').toBe(
      true,
    );
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'tempo-electron-'));
    fs.copyFileSync(await makeVideo({ durationS: 4, width: 320, height: 180 }), path.join(home, 'camera.mp4'));
    const env: Record<string, string> = { TEMPO_HOME: home };
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'ELECTRON_RUN_AS_NODE') env[k] ??= v;
    // Chromium refuses to run as root with its OS sandbox (CI containers); the window stays sandboxed.
    const args = process.getuid?.() === 0 ? ['--no-sandbox', root] : [root];
    app = await electron.launch({ executablePath: found.bin, args, cwd: root, env });
    page = await app.firstWindow();
    library = new LibraryPage(page);
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
  });

  afterAll(async () => {
    await app?.close();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('renders the Library view through the preload bridge', async () => {
    await expect.poll(() => library.heading.count()).toBe(1);
    await expect.poll(() => library.recordingsHeading(0).count()).toBe(1);
    expect(await library.bridgeCallType()).toBe('function');
    expect(await library.chooseFilesButton.count()).toBe(1);
  });

  it('imports a recording and shows its poster from tempo-media:', async () => {
    await library.import(path.join(home, 'camera.mp4'));
    await expect.poll(() => library.recordingsHeading(1).count(), { timeout: 30_000 }).toBe(1);
    const poster = library.desktopPoster;
    await expect.poll(() => poster.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
    expect(errors.filter((e) => /Content Security Policy|Refused to/.test(e))).toEqual([]);
  });
});

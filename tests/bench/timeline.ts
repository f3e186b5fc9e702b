// Issue 4's figure: the review timeline stays smooth with 10,000 segments on one recording.
// Frame times of the real renderer in Debian's Chromium (headless, software rendering) while
// the video plays and while the timeline zooms, with 10,000 segments against 10.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { Engine } from '../../src-main/engine/engine.js';
import { importPaths } from '../../src-main/engine/api/import.js';
import { makeVideo } from '../fixtures/make-video.js';
import { closeBrowser, launchBrowser } from '../e2e/harness.js';
import { startServer } from '../support/tempo-cli.js';
import type { Report } from './timed.js';
import { seedRun } from '../fixtures/seed-store.js';

interface Frames {
  median: number;
  p95: number;
  worst: number;
  count: number;
}

/** A data folder with one 10-minute recording and a query with `n` segments on it. */
async function seed(home: string, clip: string, n: number): Promise<void> {
  const engine = Engine.open(home);
  try {
    await importPaths(engine, [clip]);
    const queryId = engine.runs.createQuery('a box appears');
    const durationS = engine.recordings.get(1)!.durationS;
    const step = durationS / n;
    engine.db.transaction(() =>
      seedRun(engine.runs, {
        query: 'a box appears',
        queryId,
        recordingId: 1,
        modelName: 'bench',
        segments: Array.from({ length: n }, (_, i) => ({
          startS: i * step,
          endS: i * step + step * 0.6,
          confidence: ((i * 7919) % 1000) / 1000,
        })),
      }),
    )();
    // A third of them reviewed, so every state colour is drawn.
    const ids = engine.segments.byQuery(queryId).map((s) => s.id);
    engine.db.transaction(() => {
      ids.forEach((id, i) => {
        if (i % 3 === 1) engine.segments.verdict(id, { kind: 'accept' });
        if (i % 6 === 2) engine.segments.verdict(id, { kind: 'reject', reason: 'not-present' });
      });
    })();
  } finally {
    engine.close();
  }
}

/** Frame-to-frame times over `ms` while `act` runs, from requestAnimationFrame in the page. */
async function frameTimes(page: Page, ms: number, act: () => Promise<void>): Promise<Frames> {
  const collecting = page.evaluate(
    (duration) =>
      new Promise<number[]>((resolve) => {
        // In the page; the bench's own typings have no DOM.
        const raf = (globalThis as unknown as { requestAnimationFrame: (cb: (t: number) => void) => void })
          .requestAnimationFrame;
        const out: number[] = [];
        let last = performance.now();
        const end = last + duration;
        const tick = (now: number) => {
          out.push(now - last);
          last = now;
          if (now < end) raf(tick);
          else resolve(out);
        };
        raf(tick);
      }),
    ms,
  );
  await act();
  const times = (await collecting).slice(1).sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
  return { median: at(0.5), p95: at(0.95), worst: times.at(-1) ?? 0, count: times.length };
}

async function measure(clip: string, n: number): Promise<{ playing: Frames; zooming: Frames }> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tempo-bench-timeline-'));
  await seed(home, clip, n);
  const server = await startServer<{ url: string }>(home, ['serve', '--port', '0']);
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await page.goto(server.info.url);
    const nav = (name: string) => page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name });
    await nav('Query').click();
    await page
      .getByRole('region', { name: /Previous queries/ })
      .getByRole('button')
      .first()
      .click();
    await nav('Review').click();
    await page.getByRole('region', { name: 'Review queue' }).getByRole('listitem').first().getByRole('button').click();
    await page.waitForTimeout(1500);
    await page.locator('body').focus();
    const playing = await frameTimes(page, 3000, async () => {
      await page.keyboard.press(' ');
    });
    await page.keyboard.press(' ');
    const canvas = page.locator('canvas').first();
    const box = (await canvas.boundingBox())!;
    const zooming = await frameTimes(page, 3000, async () => {
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.keyboard.down('Control');
      for (let i = 0; i < 12; i++) {
        await page.mouse.wheel(0, i < 6 ? -100 : 100);
        await page.waitForTimeout(200);
      }
      await page.keyboard.up('Control');
    });
    return { playing, zooming };
  } finally {
    await closeBrowser();
    server.child.kill('SIGTERM');
    await server.done;
    fs.rmSync(home, { recursive: true, force: true });
  }
}

const show = (f: Frames) =>
  `median ${f.median.toFixed(1)} ms, p95 ${f.p95.toFixed(1)} ms, worst ${f.worst.toFixed(1)} ms (${f.count} frames)`;

export async function benchTimeline(report: Report): Promise<void> {
  const clip = await makeVideo({
    durationS: 600,
    width: 640,
    height: 360,
    events: [{ kind: 'box', from: 100, to: 110, x: 80, y: 60, w: 120, h: 120, color: 'white' }],
  });
  console.log('timeline: review view in Chromium (headless, software rendering), 10-min recording');
  const few = await measure(clip, 10);
  const many = await measure(clip, 10_000);
  console.log(`  10 segments,     playing: ${show(few.playing)}`);
  console.log(`  10 segments,     zooming: ${show(few.zooming)}`);
  console.log(`  10,000 segments, playing: ${show(many.playing)}`);
  console.log(`  10,000 segments, zooming: ${show(many.zooming)}`);
  const worstP95 = Math.max(many.playing.p95, many.zooming.p95);
  const ratio = worstP95 / Math.max(few.playing.p95, few.zooming.p95);
  report(
    'timeline p95 frame time with 10,000 segments (playing, zooming)',
    `${worstP95.toFixed(1)} ms, ${ratio.toFixed(2)}x the 10-segment p95`,
    '<= 33.4 ms (30 fps) and <= 1.5x',
    worstP95 <= 33.4 && ratio <= 1.5,
  );
}

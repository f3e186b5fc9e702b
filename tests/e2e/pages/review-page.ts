/** The Review view: the queue, the player's timeline and title, and the verdict buttons. */
import type { Locator } from 'playwright-core';
import { WorkstationPage } from './workstation-page.js';

export type Reason = 'Not present' | 'Wrong time' | 'Partly';

export class ReviewPage extends WorkstationPage {
  /** The review queue's entries. */
  get queueItems(): Locator {
    return this.page.getByRole('region', { name: 'Review queue' }).getByRole('listitem');
  }

  /** The buttons of the queue's entries (click one to open its segment). */
  get items(): Locator {
    return this.queueItems.getByRole('button');
  }

  /** The start of a queue entry's time range, as the entry shows it ("0:02.0"). */
  async itemStart(index: number): Promise<string> {
    const range = (await this.items.nth(index).locator('.range').textContent()) ?? '';
    return range.split('–')[0]?.trim() ?? '';
  }

  /** The recording a queue entry is on, as the entry names it. */
  async itemRecording(index: number): Promise<string> {
    return ((await this.items.nth(index).locator('.name').textContent()) ?? '').trim();
  }

  /** The title over the player when `name` is the open recording. */
  playerTitle(name: string): Locator {
    return this.page.getByRole('heading', { level: 2, name, exact: true });
  }

  get timeline(): Locator {
    return this.page.getByRole('slider', { name: 'Timeline' });
  }

  /** The playhead as the timeline reads it out ("0:02.0"). */
  playhead(): Promise<string | null> {
    return this.timeline.getAttribute('aria-valuetext');
  }

  /** The video's length in seconds; `fallback` while it has not loaded. */
  async videoDuration(fallback: number): Promise<number> {
    return Number(await this.page.locator('video').evaluate((v: HTMLVideoElement) => v.duration || 0)) || fallback;
  }

  /** Seeks by clicking the timeline's ruler at time `t` of a recording `durationS` long. */
  async seekTo(t: number, durationS: number): Promise<void> {
    const canvas = this.page.locator('canvas').first();
    const box = (await canvas.boundingBox())!;
    await canvas.click({ position: { x: (t / durationS) * box.width, y: 3 } });
  }

  async accept(): Promise<void> {
    await this.page.getByRole('button', { name: 'Accept' }).click();
  }

  async reject(reason: Reason): Promise<void> {
    await this.page.getByRole('button', { name: 'Reject' }).click();
    await this.page
      .getByRole('group', { name: 'Reason for rejecting' })
      .getByRole('button', { name: new RegExp(reason) })
      .click();
  }

  get addSegmentButton(): Locator {
    return this.page.getByRole('button', { name: 'Add segment' });
  }

  get undoButton(): Locator {
    return this.page.getByRole('button', { name: 'Undo' });
  }

  /** Presses a button from the keyboard: focus, Enter. */
  async pressButton(button: Locator): Promise<void> {
    await button.focus();
    await this.page.keyboard.press('Enter');
  }

  /** The keys overlay (`?`). */
  get keysDialog(): Locator {
    return this.page.getByRole('dialog');
  }
}

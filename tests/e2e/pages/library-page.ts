/** The Library view: import by path (a job with progress, Cancel and outcome), scans, the recordings. */
import type { Locator } from 'playwright-core';
import { WorkstationPage } from './workstation-page.js';

export class LibraryPage extends WorkstationPage {
  get pathField(): Locator {
    return this.page.getByLabel('File or folder path');
  }

  get importButton(): Locator {
    return this.page.getByRole('button', { name: 'Import', exact: true });
  }

  /** The import panel: the form, the running import and what the last one did. */
  get importPanel(): Locator {
    return this.page.getByRole('region', { name: 'Import recordings' });
  }

  /** The running import of this window (its row: label, progress, Cancel); absent when none runs. */
  get importRunning(): Locator {
    return this.importPanel.getByRole('list', { name: 'Import running' });
  }

  /** The running import's progress bar. */
  get importProgress(): Locator {
    return this.importRunning.getByRole('progressbar');
  }

  /** The percentage the running import's bar shows; 0 when none shows. */
  async importPercent(): Promise<number> {
    return Number(
      (await this.importProgress.count()) > 0 ? await this.importProgress.getAttribute('aria-valuenow') : 0,
    );
  }

  /** What the running import's row says of its time left, next to its bar; '' when none shows. */
  async importEta(): Promise<string> {
    const eta = this.importRunning.getByLabel('Time left');
    return (await eta.count()) > 0 ? ((await eta.textContent()) ?? '') : '';
  }

  async cancelImport(): Promise<void> {
    await this.importRunning.getByRole('button', { name: 'Cancel' }).click();
  }

  /** Texts of what the import panel says (the outcome, a skip list, a failure, a cancel). */
  importMessages(): Promise<string[]> {
    return this.importPanel.locator('[role="status"], [role="alert"]').allTextContents();
  }

  /** Imports a file or folder by its path, with the Import button. */
  async import(path: string): Promise<void> {
    await this.pathField.fill(path);
    await this.importButton.click();
  }

  /** Imports by typing the path and pressing Enter. */
  async importByKeyboard(path: string): Promise<void> {
    await this.pathField.focus();
    await this.page.keyboard.type(path);
    await this.page.keyboard.press('Enter');
  }

  get scanButtons(): Locator {
    return this.page.getByRole('button', { name: 'Scan', exact: true });
  }

  /** Clicks every Scan button there is now. */
  async scanAll(): Promise<void> {
    for (const button of await this.scanButtons.all()) await button.click();
  }

  /** Scans the first recording not scanned yet, from the keyboard. */
  async scanFirstByKeyboard(): Promise<void> {
    await this.scanButtons.first().focus();
    await this.page.keyboard.press('Enter');
  }

  notScannedCount(): Promise<number> {
    return this.page.getByText('Not scanned').count();
  }

  scannedCount(): Promise<number> {
    return this.page.getByText('Scanned', { exact: true }).count();
  }

  /** The heading that counts the recordings: "Recordings (3)". */
  recordingsHeading(count: number): Locator {
    return this.page.getByText(`Recordings (${count})`);
  }

  /** How many recordings the heading counts. */
  async recordingCount(): Promise<number> {
    const text = (await this.page.getByRole('heading', { name: /^Recordings \(\d+\)$/ }).textContent()) ?? '';
    return Number(/\((\d+)\)/.exec(text)?.[1] ?? NaN);
  }

  get heading(): Locator {
    return this.page.getByRole('heading', { name: 'Import recordings' });
  }

  get chooseFilesButton(): Locator {
    return this.page.getByRole('button', { name: 'Choose files…' });
  }

  /** The first poster shown from the desktop app's tempo-media: protocol. */
  get desktopPoster(): Locator {
    return this.page.locator('img[src^="tempo-media://poster/"]').first();
  }
}

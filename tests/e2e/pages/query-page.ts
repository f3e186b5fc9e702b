/** The Query view: ask, the ranked results with their Open buttons, Start review, previous queries. */
import type { Locator } from 'playwright-core';
import { WorkstationPage } from './workstation-page.js';

export class QueryPage extends WorkstationPage {
  get queryField(): Locator {
    return this.page.getByLabel('Query', { exact: true });
  }

  /** Goes to the Query view and asks `text` of the whole library. */
  async find(text: string): Promise<void> {
    await this.go('Query');
    await this.queryField.fill(text);
    await this.page.getByRole('button', { name: 'Find' }).click();
  }

  /** The same from the keyboard. */
  async findByKeyboard(text: string): Promise<void> {
    await this.goByKeyboard('Query');
    await this.queryField.focus();
    await this.page.keyboard.type(text);
    await this.page.keyboard.press('Enter');
  }

  /** The line under the form that says how long the query would take on this machine. */
  get estimate(): Locator {
    return this.page.getByRole('status', { name: 'Time estimate' });
  }

  /** The estimate's text; '' while none shows. */
  async estimateText(): Promise<string> {
    return (await this.estimate.count()) > 0 ? ((await this.estimate.textContent()) ?? '').trim() : '';
  }

  /** The line under the query box that says the settings ask in two stages; '' while none shows. */
  async twoStagesText(): Promise<string> {
    const note = this.page.getByRole('note', { name: 'Two stages' });
    return (await note.count()) > 0 ? ((await note.textContent()) ?? '').trim() : '';
  }

  /** The stage each result segment came from (candidate, refined, audit), '' where it shows none. */
  async resultStages(): Promise<string[]> {
    const rows = this.results.getByRole('listitem').filter({ has: this.page.getByRole('button', { name: 'Open' }) });
    const texts = await rows.allTextContents();
    return texts.map((t) => /\b(candidate|refined|audit)\b/.exec(t)?.[1] ?? '');
  }

  /** The results of the open query. */
  get results(): Locator {
    return this.page.getByRole('region', { name: /Results/ });
  }

  /** One Open button per segment in the results. */
  get openButtons(): Locator {
    return this.results.getByRole('button', { name: 'Open' });
  }

  async startReview(): Promise<void> {
    await this.results.getByRole('button', { name: 'Start review' }).click();
  }

  /** Opens the latest query from Previous queries. */
  async openLatestQuery(): Promise<void> {
    await this.go('Query');
    await this.page
      .getByRole('region', { name: /Previous queries/ })
      .getByRole('button')
      .first()
      .click();
  }
}

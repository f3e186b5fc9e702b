/**
 * What every view of the workstation shares, for the page objects: the view buttons and
 * the messages in the lower-right corner. Page objects drive the UI the way an operator
 * would (roles and labels) and hand back locators; the tests assert.
 */
import type { Locator, Page } from 'playwright-core';

export type ViewName = 'Library' | 'Query' | 'Review' | 'Model quality' | 'Models & settings';

export class WorkstationPage {
  constructor(readonly page: Page) {}

  /** The button of a view in the navigation. */
  navButton(view: ViewName): Locator {
    return this.page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: view });
  }

  async go(view: ViewName): Promise<void> {
    await this.navButton(view).click();
  }

  /** Goes to a view from the keyboard: focus its button, Enter. */
  async goByKeyboard(view: ViewName): Promise<void> {
    await this.navButton(view).focus();
    await this.page.keyboard.press('Enter');
  }

  /** Texts of the errors shown (role alert), wherever they are. */
  alerts(): Promise<string[]> {
    return this.page.getByRole('alert').allTextContents();
  }

  /** Texts of the notices shown (role status), wherever they are. */
  notices(): Promise<string[]> {
    return this.page.getByRole('status').allTextContents();
  }

  /** Dismisses every message, as an operator clears the corner. */
  async dismissMessages(): Promise<void> {
    const dismiss = this.page.getByRole('button', { name: 'Dismiss message' });
    while ((await dismiss.count()) > 0) await dismiss.first().click();
  }

  /**
   * Scrolled to the bottom: where the messages corner starts (`top`), how tall it is, and the
   * lowest bottom edge of any control of the page (`last`).
   */
  messagesRoom(): Promise<{ top: number; height: number; last: number }> {
    return this.page.evaluate(() => {
      window.scrollTo(0, document.documentElement.scrollHeight);
      const messages = (document.querySelector('.messages') as HTMLElement).getBoundingClientRect();
      const controls = [...document.querySelectorAll('main button, main input, main select, main a')];
      return {
        top: messages.top,
        height: messages.height,
        last: Math.max(...controls.map((c) => c.getBoundingClientRect().bottom)),
      };
    });
  }

  /** What `window.tempo.call` is: 'function' in the desktop app's window, 'undefined' in web mode. */
  bridgeCallType(): Promise<string> {
    return this.page.evaluate(() => typeof (window as { tempo?: { call?: unknown } }).tempo?.call);
  }

  /** Presses keys one after the other, `times` each. */
  async press(key: string, times = 1): Promise<void> {
    for (let i = 0; i < times; i++) await this.page.keyboard.press(key);
  }

  /** Takes focus out of any field, so the review keys act. */
  async focusPage(): Promise<void> {
    await this.page.locator('body').focus();
  }
}

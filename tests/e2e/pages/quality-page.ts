/** The Model quality view: the comparison table, the history chart, the reliability diagram, refits. */
import type { Locator } from 'playwright-core';
import { WorkstationPage } from './workstation-page.js';

export class QualityPage extends WorkstationPage {
  async open(): Promise<void> {
    await this.go('Model quality');
  }

  get table(): Locator {
    return this.page.getByRole('table', { name: 'Models on the reviewed set' });
  }

  get rows(): Locator {
    return this.table.locator('tbody tr');
  }

  /** The table row of a model, by its row header (`name` as a string is matched exactly). */
  row(name: string | RegExp): Locator {
    const header =
      typeof name === 'string'
        ? this.page.getByRole('rowheader', { name, exact: true })
        : this.page.getByRole('rowheader', { name });
    return this.rows.filter({ has: header });
  }

  /** The text of one metric of a row (data-metric: n, r1At05, mIoU, ece, reviewLoad...). */
  cell(row: Locator, metric: string): Promise<string | null> {
    return row.locator(`[data-metric="${metric}"]`).textContent();
  }

  /** How many elements show `text` (as getByText matches it). */
  textCount(text: string | RegExp): Promise<number> {
    return this.page.getByText(text).count();
  }

  /** The history chart of a model. */
  chart(model: string): Locator {
    return this.page.getByRole('img', { name: new RegExp(`Metrics over time for ${model}`) });
  }

  /** The reliability diagram of a model. */
  diagram(model: string): Locator {
    return this.page.getByRole('img', { name: new RegExp(`Reliability diagram for ${model}`) });
  }

  /** Lines of the history chart (one per metric with values). */
  chartLineCount(model: string): Promise<number> {
    return this.chart(model).locator('path.line').count();
  }

  /** Points of the history chart. */
  chartDotCount(model: string): Promise<number> {
    return this.chart(model).locator('circle').count();
  }

  /** Axis labels of the history chart that read `text`. */
  chartLabelCount(model: string, text: string): Promise<number> {
    return this.chart(model).locator('text', { hasText: text }).count();
  }

  /** Bars of the reliability diagram: the model's own confidences (before) or calibrated (after). */
  barCount(model: string, which: 'before' | 'after'): Promise<number> {
    return this.diagram(model).locator(`rect.bar.${which}`).count();
  }

  /** The diagram's diagonal (perfect calibration). */
  diagonalCount(model: string): Promise<number> {
    return this.diagram(model).locator('line.diagonal').count();
  }

  async chooseModel(model: string): Promise<void> {
    await this.page.getByLabel('Model', { exact: true }).selectOption(model);
  }

  async refit(): Promise<void> {
    await this.page.getByRole('button', { name: 'Refit calibration' }).click();
  }

  get runOnReviewedSet(): Locator {
    return this.page.getByRole('button', { name: 'Run on reviewed set' });
  }
}

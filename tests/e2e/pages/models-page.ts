/** Models & settings: install a model folder, the installed models, and the settings form. */
import type { Locator } from 'playwright-core';
import { WorkstationPage } from './workstation-page.js';

export interface InstallOptions {
  name?: string;
  dtype?: string;
  profile?: string;
}

export class ModelsPage extends WorkstationPage {
  async open(): Promise<void> {
    await this.go('Models & settings');
  }

  /** The install form, as the operator fills it. */
  async install(dir: string, opts: InstallOptions = {}): Promise<void> {
    await this.page.getByLabel('Model folder').fill(dir);
    await this.page.getByLabel('Name (optional)').fill(opts.name ?? '');
    await this.page.getByLabel('Dtype').selectOption(opts.dtype ?? '');
    await this.page.getByLabel('Answer profile').selectOption(opts.profile ?? '');
    await this.page.getByRole('button', { name: 'Install', exact: true }).click();
  }

  /** The row of an installed model. */
  modelRow(name: string): Locator {
    return this.page.getByRole('region', { name: 'Installed models' }).locator('tbody tr', { hasText: name });
  }

  noModelsCount(): Promise<number> {
    return this.page.getByText('No models installed').count();
  }

  /** The installs running, each with its progress bar and Cancel. */
  get installsRunning(): Locator {
    return this.page.getByRole('list', { name: 'Installs running' });
  }

  /** The progress bar of a running install, by its label ("Model install · big-export"). */
  installProgress(label: string): Locator {
    return this.installsRunning.getByRole('progressbar', { name: label });
  }

  async cancelInstall(): Promise<void> {
    await this.installsRunning.getByRole('button', { name: 'Cancel' }).click();
  }

  /** The models the settings can pick. */
  modelChoices(): Promise<string[]> {
    return this.page.getByLabel('Model', { exact: true }).locator('option').allTextContents();
  }

  /** Types a model server URL and saves; a new one then waits for the confirmation. */
  async saveServerUrl(url: string): Promise<void> {
    await this.page.getByLabel(/Model server URL/).fill(url);
    await this.page.getByRole('button', { name: 'Save' }).click();
  }

  /** Two-stage grounding in the settings form: the candidate model, the model refining, the percentages; then Save. */
  async saveTwoStages(opts: {
    candidate: string;
    model: string;
    refineBelow: string;
    auditShare?: string;
  }): Promise<void> {
    await this.page.getByLabel('Model', { exact: true }).selectOption(opts.model);
    await this.page.getByLabel('Candidate model (two stages)').selectOption(opts.candidate);
    await this.page.getByLabel('Refine below (%)').fill(opts.refineBelow);
    if (opts.auditShare !== undefined) await this.page.getByLabel('Audit share (%)').fill(opts.auditShare);
    await this.page.getByRole('button', { name: 'Save' }).click();
  }

  /** What the settings form shows for two stages. */
  async twoStageValues(): Promise<{ candidate: string; refineBelow: string; auditShare: string }> {
    return {
      candidate: await this.page.getByLabel('Candidate model (two stages)').inputValue(),
      refineBelow: await this.page.getByLabel('Refine below (%)').inputValue(),
      auditShare: await this.page.getByLabel('Audit share (%)').inputValue(),
    };
  }

  /** The confirmation a new model server asks for. */
  get confirmServer(): Locator {
    return this.page.getByRole('alertdialog');
  }

  async useThisServer(): Promise<void> {
    await this.page.getByRole('button', { name: 'Use this server' }).click();
  }

  /** The first mention of a model's name on the page. */
  mention(name: string): Locator {
    return this.page.getByText(name).first();
  }
}

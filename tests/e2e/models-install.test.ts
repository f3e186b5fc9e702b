/**
 * Installing a model from a folder in Models & settings, in Debian's Chromium against
 * `tempo serve`: a transformers.js export as published (no tempo-model.json) is installed
 * and listed; a text-only model, a missing folder and a cancelled install each end in a
 * message, and the page keeps working. Screenshots go to test-artifacts/e2e.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTinyQwen2VL } from '../fixtures/tiny-qwen2vl/generate.js';
import { closeBrowser, openWorkstation, screenshot } from './harness.js';
import { ModelsPage } from './pages/models-page.js';

afterAll(closeBrowser);

const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 60_000, interval: 100 });

describe('installing a model from a folder', () => {
  it('installs a published export, refuses what is not a video-language model, cancels, and keeps working', async () => {
    const w = await openWorkstation({ model: false });
    const { page, home } = w;
    const models = new ModelsPage(page);
    try {
      // A transformers.js export as it comes from the hub: no tempo-model.json.
      const hub = path.join(home, 'hub');
      const exported = await makeTinyQwen2VL(path.join(hub, 'Qwen2-VL-tiny-ONNX'), { contextTokens: 512 });
      fs.rmSync(path.join(exported, 'tempo-model.json'));

      await models.open();
      await poll(() => models.noModelsCount()).toBe(1);

      await models.install(exported);
      await poll(() => models.modelRow('Qwen2-VL-tiny-ONNX').textContent()).toMatch(/qwen2_vl.*Complete/s);
      await poll(() => models.notices()).toEqual(
        expect.arrayContaining([expect.stringContaining(`Model installed from ${exported}`)]),
      );
      // The settings can pick it at once.
      await poll(() => models.modelChoices()).toContain('Qwen2-VL-tiny-ONNX');
      expect(fs.existsSync(path.join(home, 'models', 'Qwen2-VL-tiny-ONNX', 'tempo-model.json'))).toBe(true);

      // A text-only model: the job fails with its one-line reason, shown as a message.
      const llama = path.join(hub, 'llama-3-8b');
      fs.mkdirSync(llama);
      fs.writeFileSync(path.join(llama, 'config.json'), JSON.stringify({ model_type: 'llama', hidden_size: 64 }));
      await models.install(llama);
      await poll(() => models.alerts()).toEqual(
        expect.arrayContaining([
          expect.stringContaining("model_type 'llama' is not a Qwen2-VL-family video-language model"),
        ]),
      );
      const reason = (await models.alerts()).find((t) => t.includes("'llama'")) ?? '';
      expect(reason).toContain(`Model install · llama-3-8b failed: ${llama}: config.json:`);
      expect(reason).not.toContain('\n');

      // A folder that is not there: refused at once, no job.
      const nowhere = path.join(hub, 'nowhere');
      await models.install(nowhere);
      await poll(() => models.alerts()).toEqual(
        expect.arrayContaining([expect.stringContaining(`no folder ${nowhere}`)]),
      );

      // A big install shows its progress and can be cancelled; nothing of it stays.
      const big = path.join(hub, 'big-export');
      fs.cpSync(exported, big, { recursive: true });
      const readme = fs.openSync(path.join(big, 'README.md'), 'w');
      fs.ftruncateSync(readme, 4 * 1024 ** 3); // 4 GiB, sparse: nothing to write here, much to copy there
      fs.closeSync(readme);
      await models.install(big, { name: 'big' });
      const running = models.installsRunning;
      const bar = models.installProgress('Model install · big-export');
      await poll(async () =>
        Number((await bar.count()) > 0 ? await bar.getAttribute('aria-valuenow') : 0),
      ).toBeGreaterThan(0);
      await screenshot(page, 'models-install-progress');
      await models.cancelInstall();
      await poll(() => models.notices()).toEqual(
        expect.arrayContaining([expect.stringContaining('cancelled: nothing was installed')]),
      );
      await poll(() => running.count()).toBe(0);
      await poll(() => fs.readdirSync(path.join(home, 'models'))).toEqual(['Qwen2-VL-tiny-ONNX']);
      fs.rmSync(big, { recursive: true });

      // Still working: the same export again, under another name, with a dtype and a profile chosen.
      await models.install(exported, { name: 'second', dtype: 'fp32', profile: 'time-r1' });
      await poll(() => models.modelRow('second').textContent()).toMatch(/qwen2_vl · time-r1.*Complete/s);
      expect(await models.modelRow('Qwen2-VL-tiny-ONNX').count()).toBe(1);
      await screenshot(page, 'models-install');
    } finally {
      await w.stop();
    }
  });
});

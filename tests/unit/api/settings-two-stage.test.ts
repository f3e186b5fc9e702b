/**
 * Two-stage grounding in the settings: a candidate model (installed and complete), the
 * refining threshold and audit share, and how a query from the workstation asks with them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../src-shared/api.js';
import { toCallError } from '../../../src-main/engine/api/call-error.js';
import { planGround } from '../../../src-main/engine/api/ground.js';
import { handle } from '../../../src-main/engine/api/handlers.js';
import { settingsRequest } from '../../../src-main/engine/api/queries.js';
import { setSettings } from '../../../src-main/engine/api/settings.js';
import { UsageError } from '../../../src-main/engine/errors.js';
import { writeModelFolder } from '../../fixtures/model-folder.js';
import { openTempEngine, type TempEngine } from '../../support/engine.js';

const A = 'http://127.0.0.1:8765/v1';
const B = 'http://10.0.0.2:8765/v1';

let t: TempEngine | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

/** An engine with models 'small' and 'big' installed, and 'broken' lacking its config. */
function withModels(): TempEngine {
  const opened = openTempEngine();
  for (const name of ['small', 'big', 'broken'])
    writeModelFolder(path.join(opened.home, 'models', name), {
      name,
      family: 'qwen2_vl',
      profile: 'qwen2-vl',
      source: 'test',
    });
  fs.rmSync(path.join(opened.home, 'models', 'broken', 'config.json'));
  return opened;
}

describe('two stages in the settings', () => {
  it('start as one stage, refining below 60% and auditing 5%', () => {
    t = openTempEngine();
    expect(t.engine.settings.get()).toEqual(DEFAULT_SETTINGS);
    expect(DEFAULT_SETTINGS).toMatchObject({ candidateModel: null, refineBelow: 0.6, auditShare: 0.05 });
    const req = settingsRequest(t.engine);
    expect(req).not.toHaveProperty('candidates');
    expect(req).not.toHaveProperty('refineBelow');
    expect(req).not.toHaveProperty('auditShare');
  });

  it('ask a query with the candidate model first and the chosen model refining, as planned before any work', async () => {
    t = withModels();
    const { engine } = t;
    const saved = setSettings(engine, { model: 'big', candidateModel: 'small', refineBelow: 0.4, auditShare: 0.1 });
    expect(saved.settings).toEqual({
      ...DEFAULT_SETTINGS,
      model: 'big',
      candidateModel: 'small',
      refineBelow: 0.4,
      auditShare: 0.1,
    });
    expect(settingsRequest(engine)).toEqual({
      model: 'big',
      device: 'cpu',
      samples: DEFAULT_SETTINGS.samples,
      candidates: 'small',
      refineBelow: 0.4,
      auditShare: 0.1,
    });
    const plan = await planGround(engine, settingsRequest(engine));
    expect(plan.target).toMatchObject({ kind: 'local', modelDir: path.join(t.home, 'models', 'big') });
    expect(plan.twoStage).toMatchObject({
      candidates: { kind: 'local', modelDir: path.join(t.home, 'models', 'small'), device: 'cpu' },
      refineBelow: 0.4,
      auditShare: 0.1,
    });
    // Back to one stage: nothing of two stages is sent.
    setSettings(engine, { candidateModel: null });
    expect(settingsRequest(engine)).not.toHaveProperty('candidates');
    expect((await planGround(engine, settingsRequest(engine))).twoStage).toBeUndefined();
  });

  it('refine on the model server and its pool, the candidate model running on the device', () => {
    t = withModels();
    const { engine } = t;
    setSettings(engine, { serverUrl: A, poolUrls: [B], perServer: 3, confirmUrlChange: true });
    expect(settingsRequest(engine).device).toBeUndefined();
    setSettings(engine, { candidateModel: 'small' });
    expect(settingsRequest(engine)).toEqual({
      device: 'cpu',
      server: [A, B],
      perServer: 3,
      samples: DEFAULT_SETTINGS.samples,
      candidates: 'small',
      refineBelow: DEFAULT_SETTINGS.refineBelow,
      auditShare: DEFAULT_SETTINGS.auditShare,
    });
    // Without the server the refining backend would be none: refused while the candidate stays.
    expect(() => setSettings(engine, { serverUrl: null, poolUrls: [] })).toThrow(
      new UsageError('two stages need a refining backend: a model server URL, or a model chosen by name'),
    );
  });

  it('refuse a candidate model not installed or not complete, in one line, changing nothing', async () => {
    t = withModels();
    const { engine } = t;
    setSettings(engine, { model: 'big' });
    const missing: unknown = await handle(engine, 'settings.set', { candidateModel: 'nope' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(UsageError);
    expect((missing as Error).message).toMatch(/^the candidate model: /);
    const shown = toCallError(missing);
    expect(shown).toMatchObject({ usage: true, status: 400 });
    expect(shown.error).toMatch(/^the candidate model \(Settings\): .*nope/);
    expect(shown.error).not.toContain('\n');
    expect(() => setSettings(engine, { candidateModel: 'broken' })).toThrow(
      /^the candidate model: model broken cannot be used: /,
    );
    expect(engine.settings.get().candidateModel).toBeNull();
  });

  it('need a refining backend: the model by name or a server', () => {
    t = withModels();
    const { engine } = t;
    expect(() => setSettings(engine, { candidateModel: 'small' })).toThrow(/two stages need a refining backend/);
    expect(engine.settings.get().candidateModel).toBeNull();
    // The same model may refine its own candidates.
    expect(setSettings(engine, { candidateModel: 'small', model: 'small' }).settings.candidateModel).toBe('small');
  });

  it('take shares from 0 to 1 only, through the contract', async () => {
    t = withModels();
    const { engine } = t;
    await expect(handle(engine, 'settings.set', { refineBelow: 1.5 })).rejects.toThrow(/refineBelow/);
    await expect(handle(engine, 'settings.set', { auditShare: -0.1 })).rejects.toThrow(/auditShare/);
    await handle(engine, 'settings.set', { refineBelow: 0, auditShare: 1 });
    expect(engine.settings.get()).toMatchObject({ refineBelow: 0, auditShare: 1 });
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../src-shared/api.js';
import type { Job } from '../../../src-shared/jobs.js';
import { UsageError } from '../../../src-main/engine/errors.js';
import { handle } from '../../../src-main/engine/api/handlers.js';
import { Engine } from '../../../src-main/engine/engine.js';
import { InstallPayload, installJobHandler } from '../../../src-main/engine/jobs/install-job.js';
import { MANIFEST_FILE } from '../../../src-main/engine/models/manifest.js';
import { listModels } from '../../../src-main/engine/models/registry.js';
import { writeModelFolder } from '../../fixtures/model-folder.js';
import { jobSettled } from '../../support/engine.js';
import { installedModels } from '../../support/files.js';
import { removeTempDirs, tempDir } from '../../support/temp.js';

let home: string;
let usb: string;
let engine: Engine;
let events: EngineEvent[];

beforeEach(() => {
  home = tempDir('tempo-install-job-');
  usb = tempDir('tempo-usb-');
  engine = Engine.open(home);
  events = [];
  engine.events.on('event', (e) => events.push(e));
});

afterEach(() => {
  engine.close();
  removeTempDirs();
});

const installedFolders = () => installedModels(home);

async function install(input: Record<string, unknown>): Promise<Job> {
  const { job } = (await handle(engine, 'models.install', input)) as { job: Job };
  return jobSettled(engine, job.id);
}

/** A folder a transformers.js export could be, for a model that is not a video-language one. */
function textOnlyFolder(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ model_type: 'llama', hidden_size: 64 }));
  return dir;
}

describe('the install job', () => {
  it('installs a folder, reports progress up to 1, lists the model and announces it', async () => {
    const src = writeModelFolder(path.join(usb, 'finetune-7'));
    fs.writeFileSync(path.join(src, 'README.md'), Buffer.alloc(4 << 20, 'a'));

    // The handler itself: progress is the share of bytes copied, never backwards, ending at 1.
    const job: Job = {
      id: 1000,
      type: 'install',
      state: 'running',
      progress: 0,
      attempts: 1,
      maxAttempts: 1,
      error: null,
      payload: { dir: src, name: 'direct' },
      recordingId: null,
      cancelRequested: false,
      result: null,
      createdAt: '',
      startedAt: null,
      updatedAt: '',
    };
    const seen: number[] = [];
    const handler = installJobHandler({ home: engine.paths.home });
    const payload = InstallPayload.parse(job.payload);
    const finish = await handler({ job, payload, signal: new AbortController().signal, progress: (f) => seen.push(f) });
    expect(typeof finish).toBe('function');
    expect(seen.length).toBeGreaterThan(4);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]!);
    expect(seen.at(-1)).toBe(1);

    // Through the call, as a window starts it.
    const done = await install({ dir: src, name: 'tuned', dtype: 'fp32', profile: 'time-r1' });
    expect(done).toMatchObject({ type: 'install', state: 'done', progress: 1, error: null, maxAttempts: 1 });
    expect(installedFolders().sort()).toEqual(['direct', 'tuned']);
    const tuned = listModels(home, {}).find((m) => m.manifest?.name === 'tuned');
    expect(tuned).toMatchObject({ complete: true, manifest: { family: 'qwen2_vl', profile: 'time-r1' } });
    await new Promise((r) => setTimeout(r, 0));
    expect(events.filter((e) => e.kind === 'models-changed')).toHaveLength(1);
    // The source stays as it was.
    expect(JSON.parse(fs.readFileSync(path.join(src, MANIFEST_FILE), 'utf8')).name).toBe('tiny');
  });

  it('fails with the one-line reason, is not retried and installs nothing', async () => {
    const src = textOnlyFolder(path.join(usb, 'llama-3'));
    const failed = await install({ dir: src });
    expect(failed).toMatchObject({ state: 'failed', attempts: 1, maxAttempts: 1 });
    expect(failed.error).toBe(
      `${src}: config.json: model_type 'llama' is not a Qwen2-VL-family video-language model (qwen2_vl, qwen2_5_vl, qwen3_vl)`,
    );
    expect(failed.error).not.toContain('\n');

    const taken = writeModelFolder(path.join(usb, 'a'));
    expect((await install({ dir: taken })).state).toBe('done');
    expect((await install({ dir: taken })).error).toMatch(/^a model named 'tiny' is already installed/);

    // A payload that does not parse fails its job with the reason.
    const bad = engine.jobs.enqueue('install', { dir: 5 }, { maxAttempts: 1 });
    engine.kick();
    expect((await jobSettled(engine, bad.id)).error).toMatch(/^bad install payload: dir: /);

    expect(installedFolders()).toEqual(['tiny']);
    await new Promise((r) => setTimeout(r, 0));
    expect(events.filter((e) => e.kind === 'models-changed')).toHaveLength(1);
  });

  it('answers at once, with no job, what it can tell at once', async () => {
    await expect(handle(engine, 'models.install', { dir: path.join(usb, 'nowhere') })).rejects.toThrow(
      new UsageError(`no folder ${path.join(usb, 'nowhere')}`),
    );
    const file = path.join(usb, 'model.onnx');
    fs.writeFileSync(file, 'x');
    await expect(handle(engine, 'models.install', { dir: file })).rejects.toThrow(/is not a folder/);
    const src = writeModelFolder(path.join(usb, 'a'));
    await expect(handle(engine, 'models.install', { dir: src, profile: 'nope' })).rejects.toThrow(
      /unknown answer profile 'nope'/,
    );
    await expect(handle(engine, 'models.install', { dir: src, name: 'bad name!' })).rejects.toThrow(
      /model name 'bad name!'/,
    );
    await expect(handle(engine, 'models.install', { dir: src, dtype: 'fp8' })).rejects.toBeInstanceOf(UsageError);
    expect(engine.jobs.list()).toEqual([]);
  });

  it('cancelled through the job, leaves nothing under <home>/models', async () => {
    const src = writeModelFolder(path.join(usb, 'big'));
    fs.writeFileSync(path.join(src, 'README.md'), Buffer.alloc(64 << 20, 'a'));
    let cancelledAt: number | null = null;
    engine.events.on('event', (e) => {
      if (e.kind !== 'job-updated' || e.job.type !== 'install' || e.job.state !== 'running') return;
      if (e.job.progress > 0 && cancelledAt === null) {
        cancelledAt = e.job.progress;
        engine.jobs.cancel(e.job.id);
      }
    });
    const job = await install({ dir: src });
    expect(cancelledAt).toBeGreaterThan(0);
    expect(cancelledAt).toBeLessThan(1);
    expect(job).toMatchObject({ state: 'cancelled', error: null });
    expect(installedFolders()).toEqual([]);
    expect(engine.db.prepare('SELECT count(*) AS n FROM models').get()).toEqual({ n: 0 });
    expect(events.some((e) => e.kind === 'models-changed')).toBe(false);
  });
});

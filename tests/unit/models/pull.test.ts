import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeModelFolder } from '../../fixtures/model-folder.js';
import { readFolder, startFakeHub, type FakeHub, type FakeHubOptions } from '../../fixtures/fake-hub.js';
import { PullError } from '../../../src-main/engine/models/errors.js';
import { downloadDir, pullModel, repoIdProblem } from '../../../src-main/engine/models/pull.js';
import { MANIFEST_FILE } from '../../../src-main/engine/models/manifest.js';

const REPO = 'org/tiny';
let tmp: string;
let home: string;
let hub: FakeHub | undefined;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tempo-pull-'));
  home = path.join(tmp, 'home');
  fs.mkdirSync(home);
});

afterEach(async () => {
  await hub?.close();
  hub = undefined;
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A repo of the minimal well-formed model folder, without its manifest, plus a big q8 decoder of junk. */
async function start(opts: Partial<FakeHubOptions> = {}): Promise<FakeHub> {
  const src = writeModelFolder(path.join(tmp, 'src'));
  fs.rmSync(path.join(src, MANIFEST_FILE));
  const files = [...readFolder(src), { path: 'onnx/decoder_model_merged_fp16.onnx', bytes: Buffer.alloc(300_000, 1) }];
  hub = await startFakeHub({ repo: REPO, files, ...opts });
  return hub;
}

describe('repoIdProblem', () => {
  it('takes owner/name as the hub spells them', () => {
    for (const ok of ['onnx-community/Qwen2-VL-2B-Instruct', 'a/b', 'org_1/x.y-z'])
      expect(repoIdProblem(ok)).toBeNull();
    for (const bad of ['x', 'a/b/c', '/b', 'a/', 'a/-b', 'a/b.', 'a--b/c', 'a/b..c', 'a/b c', '../x'])
      expect(repoIdProblem(bad), bad).not.toBeNull();
  });
});

describe('pullModel', () => {
  it('reports progress over the whole pull and installs under the repo name', async () => {
    const h = await start();
    const seen: { stage: string; doneBytes: number; totalBytes: number }[] = [];
    const pulled = await pullModel(home, { repo: REPO, endpoint: h.url, onProgress: (p) => seen.push(p) });
    expect(pulled).toMatchObject({ repo: REPO, commit: h.commit, complete: true });
    expect(pulled.manifest?.source).toBe(`${REPO}@${h.commit}`);
    expect(pulled.files).not.toContain('onnx/decoder_model_merged_fp16.onnx');
    const downloads = seen.filter((p) => p.stage === 'download');
    expect(downloads.at(-1)).toMatchObject({ doneBytes: pulled.bytes, totalBytes: pulled.bytes });
    expect(downloads.every((p, i) => i === 0 || p.doneBytes >= (downloads[i - 1]?.doneBytes ?? 0))).toBe(true);
    expect(seen.some((p) => p.stage === 'install')).toBe(true);
  });

  it('fails a stalled transfer after the idle time, keeping the part for a rerun', async () => {
    const h = await start({ stall: { path: 'onnx/decoder_model_merged.onnx', afterBytes: 10 } });
    const err = await pullModel(home, { repo: REPO, endpoint: h.url, idleTimeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PullError);
    expect((err as PullError).usage).toBe(false);
    expect((err as Error).message).toMatch(
      /^onnx\/decoder_model_merged\.onnx: nothing received for 0\.3 s, at 10 of \d+ bytes; run the pull again/,
    );
    const part = path.join(downloadDir(home, REPO, h.commit), 'onnx', 'decoder_model_merged.onnx.part');
    expect(fs.statSync(part).size).toBe(10);
    expect(fs.existsSync(path.join(home, 'models'))).toBe(false);
  });

  it('checks a part a stopped run completed without fetching it again, and drops one longer than the file', async () => {
    const h = await start();
    const dir = downloadDir(home, REPO, h.commit);
    fs.mkdirSync(path.join(dir, 'onnx'), { recursive: true });
    const graph = readFolder(path.join(tmp, 'src')).find((f) => f.path === 'onnx/embed_tokens.onnx');
    fs.writeFileSync(path.join(dir, 'onnx', 'embed_tokens.onnx.part'), graph?.bytes ?? '');
    fs.writeFileSync(path.join(dir, 'onnx', 'vision_encoder.onnx.part'), Buffer.alloc(10_000));
    await pullModel(home, { repo: REPO, endpoint: h.url });
    expect(h.fetches('onnx/embed_tokens.onnx')).toBe(0);
    expect(h.transfers.find((t) => t.path === 'onnx/vision_encoder.onnx')?.range).toBeNull();
    expect(fs.existsSync(path.join(home, 'downloads'))).toBe(false);
  });

  it('refuses a repo that is not a vision-language export before fetching its graphs', async () => {
    const src = writeModelFolder(path.join(tmp, 'llm'));
    fs.writeFileSync(path.join(src, 'config.json'), JSON.stringify({ model_type: 'llama' }));
    hub = await startFakeHub({ repo: REPO, files: readFolder(src) });
    const err = await pullModel(home, { repo: REPO, endpoint: hub.url }).catch((e: unknown) => e);
    expect(err).toMatchObject({ usage: true, message: expect.stringMatching(/model_type 'llama'/) });
    expect(hub.transfers.filter((t) => t.path.startsWith('onnx/'))).toEqual([]);
    expect(fs.existsSync(path.join(home, 'downloads'))).toBe(false);
  });
});

/**
 * `tempo models pull` and `tempo models export` through the real command, against a fake hub
 * on 127.0.0.1 serving a generated tiny Qwen2-VL export with more files than a pull needs:
 * only the chosen dtype's files are fetched, a cut transfer resumes with Range, a wrong
 * checksum and a dead server fail in one line with nothing installed, and an exported model
 * installs into another data folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readFolder, startFakeHub, type FakeHub, type FakeHubOptions, type HubFile } from '../../fixtures/fake-hub.js';
import { makeTinyQwen2VL } from '../../fixtures/tiny-qwen2vl/generate.js';
import { installedModels } from '../../support/files.js';
import { removeTempDirs, tempDir } from '../../support/temp.js';
import { startTempo, stderrLines, tempHome, tempoJson, type TempoRun } from '../../support/tempo-cli.js';

const REPO = 'test-org/tiny-vl';
const TOKEN = 'hf_fakeSecretToken123';
const DECODER = 'onnx/decoder_model_merged_q4.onnx';

let src: string;
let files: HubFile[];
const hubs: FakeHub[] = [];

/** What a cpu pull of the listing below must fetch: root configs and the q4 graphs (the cpu rule prefers q4 to fp32) with their data. */
const NEEDED = [
  'README.md',
  'config.json',
  'generation_config.json',
  'preprocessor_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  DECODER,
  'onnx/decoder_model_merged_q4.onnx_data',
  'onnx/embed_tokens_q4.onnx',
  'onnx/vision_encoder_q4.onnx',
];

beforeAll(async () => {
  src = tempDir('tempo-hub-src-');
  await makeTinyQwen2VL(src, { manifest: false });
  fs.rmSync(path.join(src, 'tempo-model.json'), { force: true });
  const graph = (s: string) => fs.readFileSync(path.join(src, 'onnx', `${s}.onnx`));
  files = [
    ...readFolder(src),
    { path: '.gitattributes', bytes: Buffer.from('*.onnx filter=lfs diff=lfs merge=lfs -text\n') },
    { path: 'README.md', bytes: Buffer.from('# tiny-vl\ntest data\n') },
    { path: 'model.safetensors', bytes: Buffer.alloc(50_000, 7) },
    // More dtypes than one pull takes; the q4 decoder with an external-data file beside it.
    ...['vision_encoder', 'embed_tokens', 'decoder_model_merged'].flatMap((s) => [
      { path: `onnx/${s}_q4.onnx`, bytes: graph(s) },
      { path: `onnx/${s}_fp16.onnx`, bytes: graph(s) },
    ]),
    { path: 'onnx/decoder_model_merged_q4.onnx_data', bytes: Buffer.alloc(30_000, 3) },
    // Another runtime's layout, as the published Qwen3-VL repo carries it.
    { path: 'onnxruntime/text.onnx', bytes: graph('decoder_model_merged') },
    { path: 'onnxruntime/genai_config.json', bytes: Buffer.from('{}') },
  ].sort((a, b) => a.path.localeCompare(b.path));
});

afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close()));
});

afterAll(removeTempDirs);

async function hub(opts: Partial<FakeHubOptions> = {}): Promise<FakeHub> {
  const h = await startFakeHub({ repo: REPO, files, token: TOKEN, ...opts });
  hubs.push(h);
  return h;
}

function pull(home: string, h: FakeHub, args: string[] = []): Promise<TempoRun> {
  return startTempo(home, ['models', 'pull', REPO, ...args], { HF_ENDPOINT: h.url, HF_TOKEN: TOKEN }).done;
}

const size = (rel: string) => (files.find((f) => f.path === rel) as HubFile).bytes.length;
const installed = installedModels;
const downloads = (home: string, commit: string) => path.join(home, 'downloads', 'test-org--tiny-vl', commit);

/** Every file under `dir`, relative. */
function tree(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .map((f) => f.split(path.sep).join('/'))
    .sort();
}

function expectOneLine(run: TempoRun, ...parts: string[]): void {
  const lines = stderrLines(run);
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^tempo: cannot pull test-org\/tiny-vl: /);
  for (const p of parts) expect(lines[0]).toContain(p);
}

describe('tempo models pull', () => {
  it('fetches only the chosen dtype, installs it, lists it complete, and exports it for an offline PC', async () => {
    const h = await hub();
    const home = tempHome();
    const run = await startTempo(home, ['--json', 'models', 'pull', REPO], { HF_ENDPOINT: h.url, HF_TOKEN: TOKEN })
      .done;
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as { name: string; commit: string; files: string[]; dtype: object };
    expect(doc).toMatchObject({ name: 'tiny-vl', commit: h.commit, repo: REPO });
    expect([...doc.files].sort()).toEqual([...NEEDED].sort());
    expect(doc.dtype).toEqual({ vision_encoder: 'q4', embed_tokens: 'q4', decoder_model_merged: 'q4' });
    for (const f of files) expect(h.fetches(f.path), f.path).toBe(NEEDED.includes(f.path) ? 1 : 0);
    // The token went to the hub on every request and nowhere else.
    expect(h.requests.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(run.stdout + run.stderr).not.toContain(TOKEN);
    for (const f of tree(home)) expect(fs.readFileSync(path.join(home, f)).includes(TOKEN), f).toBe(false);

    expect(installed(home)).toEqual(['tiny-vl']);
    expect(fs.existsSync(path.join(home, 'downloads'))).toBe(false);
    const listing = await tempoJson<{ models: { name: string; complete: boolean; source: string }[] }>(home, [
      'models',
    ]);
    expect(listing.doc.models).toEqual([
      expect.objectContaining({ name: 'tiny-vl', complete: true, source: `${REPO}@${h.commit}` }),
    ]);
    const inModel = tree(path.join(home, 'models', 'tiny-vl'));
    expect(inModel).toContain(DECODER);
    expect(inModel.some((f) => f.includes('fp16') || f.startsWith('onnxruntime') || f.endsWith('.part'))).toBe(false);

    // The USB-stick path: export, then install into another data folder.
    const usb = tempDir('tempo-usb-');
    const exported = await tempoJson<{ dir: string }>(home, ['models', 'export', 'tiny-vl', '--out', usb]);
    expect(exported.doc.dir).toBe(path.join(usb, 'tiny-vl'));
    expect(fs.readdirSync(usb)).toEqual(['tiny-vl']);
    expect(tree(path.join(usb, 'tiny-vl'))).toEqual(inModel);
    const offline = tempHome();
    const again = await tempoJson<{ name: string }>(offline, ['models', 'install', path.join(usb, 'tiny-vl')]);
    expect(again.doc.name).toBe('tiny-vl');
    const offlineList = await tempoJson<{ models: { name: string; complete: boolean }[] }>(offline, ['models']);
    expect(offlineList.doc.models).toEqual([expect.objectContaining({ name: 'tiny-vl', complete: true })]);
    fs.rmSync(usb, { recursive: true, force: true });
  });

  it('resumes a cut transfer with a Range request when run again', async () => {
    const h = await hub({ cut: { path: DECODER, afterBytes: 150_000 } });
    const home = tempHome();
    const first = await pull(home, h);
    expect(first.code).toBe(1);
    expectOneLine(first, DECODER, 'run the pull again to resume');
    expect(installed(home)).toEqual([]);
    const part = path.join(downloads(home, h.commit), `${DECODER}.part`);
    const kept = fs.statSync(part).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(150_000);

    const second = await pull(home, h);
    expect(second.code, second.stderr).toBe(0);
    expect(installed(home)).toEqual(['tiny-vl']);
    const decoder = h.transfers.filter((t) => t.path === DECODER);
    expect(decoder.map((t) => t.range)).toEqual([null, `bytes=${kept}-`]);
    expect(decoder[1]?.status).toBe(206);
    expect(h.bytesServed(DECODER)).toBeLessThan(2 * size(DECODER));
    // Files completed by the first run are not fetched again.
    expect(h.fetches('config.json')).toBe(1);
    expect(second.stdout).toContain(`resumed ${DECODER}`);
  });

  it('starts a file over when the server ignores Range', async () => {
    const h = await hub({ cut: { path: DECODER, afterBytes: 100_000 }, ignoreRange: true });
    const home = tempHome();
    expect((await pull(home, h)).code).toBe(1);
    const second = await pull(home, h);
    expect(second.code, second.stderr).toBe(0);
    expect(h.transfers.filter((t) => t.path === DECODER).map((t) => t.status)).toEqual([200, 200]);
    expect(tree(path.join(home, 'models', 'tiny-vl'))).toContain(DECODER);
    expect(
      fs
        .readFileSync(path.join(home, 'models', 'tiny-vl', DECODER))
        .equals(fs.readFileSync(path.join(src, 'onnx', 'decoder_model_merged.onnx'))),
    ).toBe(true);
  });

  it('refuses a file whose bytes do not match the hub checksum: exit 1, one line, nothing installed', async () => {
    const bad = 'onnx/embed_tokens_q4.onnx';
    const h = await hub({ corrupt: [bad] });
    const home = tempHome();
    const run = await pull(home, h);
    expect(run.code).toBe(1);
    expectOneLine(run, bad, 'checksum mismatch');
    expect(installed(home)).toEqual([]);
    expect(fs.existsSync(path.join(downloads(home, h.commit), `${bad}.part`))).toBe(false);
    expect(fs.existsSync(path.join(downloads(home, h.commit), bad))).toBe(false);
  });

  it('fails in one line when the server dies half-way, and a rerun against a working server completes', async () => {
    const dying = await hub({ dieAfterBytes: 250_000 });
    const home = tempHome();
    const run = await pull(home, dying);
    expect(run.code).toBe(1);
    expectOneLine(run);
    expect(installed(home)).toEqual([]);
    const kept = tree(downloads(home, dying.commit));
    expect(kept).toContain('config.json');

    const working = await hub();
    const again = await pull(home, working);
    expect(again.code, again.stderr).toBe(0);
    expect(installed(home)).toEqual(['tiny-vl']);
    expect(working.fetches('config.json')).toBe(0);
    expect(fs.existsSync(path.join(home, 'downloads'))).toBe(false);
  });

  it('stops on Ctrl-C, keeping what it fetched and installing nothing', async () => {
    const h = await hub({ stall: { path: DECODER, afterBytes: 50_000 } });
    const home = tempHome();
    const started = startTempo(home, ['models', 'pull', REPO], { HF_ENDPOINT: h.url, HF_TOKEN: TOKEN });
    const part = path.join(downloads(home, h.commit), `${DECODER}.part`);
    for (let i = 0; i < 200 && !(fs.existsSync(part) && fs.statSync(part).size > 0); i++)
      await new Promise((r) => setTimeout(r, 50));
    started.child.kill('SIGINT');
    const run = await started.done;
    expect(run.code).toBe(1);
    expectOneLine(run, 'cancelled');
    expect(installed(home)).toEqual([]);
    expect(fs.statSync(part).size).toBeGreaterThan(0);
  });

  it('answers usage errors with exit 2 and one line before fetching anything', async () => {
    const h = await hub();
    const home = tempHome();
    const cases: [string[], string][] = [
      [['models', 'pull', 'no-slash'], 'cannot pull no-slash: a repo is owner/name'],
      [['models', 'pull', 'a/b/c'], 'cannot pull a/b/c'],
      [['models', 'pull', REPO, '--dtype', 'q9'], "unknown --dtype 'q9'"],
      [['models', 'pull', REPO, '--dtype', 'q8'], 'missing onnx/vision_encoder_quantized.onnx for --dtype q8'],
      [['models', 'pull', REPO, '--name', 'bad name!'], "model name 'bad name!'"],
    ];
    for (const [args, message] of cases) {
      const run = await startTempo(home, args, { HF_ENDPOINT: h.url, HF_TOKEN: TOKEN }).done;
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(2);
      expect(stderrLines(run)).toHaveLength(1);
      expect(run.stderr).toContain(message);
    }
    expect(h.transfers).toEqual([]);
    const unknown = await startTempo(home, ['models', 'pull', 'test-org/missing'], {
      HF_ENDPOINT: h.url,
      HF_TOKEN: TOKEN,
    }).done;
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^tempo: cannot pull test-org\/missing: .*404/);
    expect(installed(home)).toEqual([]);
  });
});

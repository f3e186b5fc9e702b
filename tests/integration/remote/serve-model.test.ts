/**
 * The remote path over loopback: the real `tempo serve-model` process (tiny Qwen2-VL through
 * transformers.js) asked by the RemoteBackend with the official openai client, and by
 * `tempo ground --server`.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GroundResult } from '../../../src-main/engine/api/ground.js';
import { LocalBackend } from '../../../src-main/engine/grounding/local-backend.js';
import { RemoteBackend } from '../../../src-main/engine/grounding/remote-backend.js';
import { LocalModel } from '../../../src-main/engine/models/local/model.js';
import type { PromptFrame } from '../../../src-main/engine/models/local/prompt.js';
import { checkModelDir } from '../../../src-main/engine/models/manifest.js';
import { makeTinyQwen2VL } from '../../fixtures/tiny-qwen2vl/generate.js';
import { makeVideo } from '../../fixtures/make-video.js';
import { freePort, startTempo, tempHome, tempo, tempoJson } from '../../support/tempo-cli.js';
import { syntheticFrame } from '../runtime/qwen2vl-driver.js';

const TOKEN = 'loopback-secret-42';
let home: string;
let url: string;
let server: ReturnType<typeof startTempo>;
let local: LocalModel;

beforeAll(async () => {
  home = tempHome();
  // A model that answers ("6-9" seconds, whatever it sees), so the grounding through the server has segments to check.
  const dir = await makeTinyQwen2VL(path.join(home, 'models', 'tiny'), { contextTokens: 256, answer: '6-9' });
  server = startTempo(home, ['--json', 'serve-model', '--port', '0', '--token', TOKEN]);
  const info = await new Promise<{ url: string }>((resolve, reject) => {
    let out = '';
    server.child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(JSON.parse(out) as { url: string });
    });
    void server.done.then((r) => reject(new Error(`serve-model exited ${r.code}: ${r.stderr}`)));
  });
  url = info.url;
  local = await LocalModel.load(dir, checkModelDir(dir).manifest!, 'cpu');
});

afterAll(async () => {
  server?.child.kill('SIGTERM');
  await server?.done;
  await local?.dispose();
});

function frame(t: number, seed: number): PromptFrame {
  const im = syntheticFrame(56, 56, seed);
  return { t, width: 56, height: 56, data: new Uint8Array(im.data.buffer, im.data.byteOffset, im.data.byteLength) };
}

describe('tempo serve-model', () => {
  it('listens on 127.0.0.1 only and wants the token', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const models = await fetch(`${url}/models`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(((await models.json()) as { data: { id: string }[] }).data.map((m) => m.id)).toEqual(['tiny']);
    expect((await fetch(`${url}/models`)).status).toBe(401);
    expect((await fetch(`${url}/models`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
  });

  it("answers a router's health check without the token, and nothing else without it", async () => {
    // What vLLM's production-stack router or a LiteLLM proxy polls a backend with.
    const origin = url.replace(/\/v1$/, '');
    const health = await fetch(`${origin}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });
    const chat = await fetch(`${url}/chat/completions`, { method: 'POST', body: '{}' });
    expect(chat.status).toBe(401);
  });

  it('answers like the local runtime on the same frames, with n samples and token log-probs', async () => {
    const groups = [[frame(0, 1)], [frame(0.5, 2)], [frame(1, 3)]];
    const instruction = 'When does the square move?';
    const remote = await RemoteBackend.connect({ url, token: TOKEN, imageFormat: 'png' });
    expect(remote.modelName).toBe('tiny');
    const fromServer = await remote.ask(groups, instruction, { samples: 3, maxNewTokens: 8 });
    const fromLocal = await new LocalBackend(local, { pairFrames: false }).ask(groups, instruction, {
      samples: 1,
      maxNewTokens: 8,
    });
    expect(fromServer.texts).toHaveLength(3);
    // Lossless frames, the same prompt built on both sides: the greedy answer is the same.
    expect(fromServer.texts[0]).toBe(fromLocal.texts[0]);

    const client = new OpenAI({ baseURL: url, apiKey: TOKEN });
    const image = { type: 'image_url' as const, image_url: { url: 'data:image/png;base64,' } };
    const png = await import('../../../src-main/engine/media/images.js');
    image.image_url.url = png.dataUrl('png', await png.encodeImage(groups[0]![0]!, 'png'));
    const res = await client.chat.completions.create({
      model: 'tiny',
      messages: [
        { role: 'user', content: [{ type: 'text', text: '<0.0s>' }, image, { type: 'text', text: 'Where?' }] },
      ],
      max_tokens: 4,
      temperature: 0,
      logprobs: true,
      top_logprobs: 3,
    });
    const lp = res.choices[0]?.logprobs?.content ?? [];
    expect(lp.length).toBeGreaterThan(0);
    for (const t of lp) {
      expect(t.logprob).toBeLessThanOrEqual(0);
      expect(t.top_logprobs).toHaveLength(3);
      expect(t.logprob).toBeCloseTo(t.top_logprobs[0]!.logprob, 4);
    }
    expect(res.usage?.completion_tokens).toBe(lp.length);
  });

  it('turns bad requests away with a 4xx and one message, and keeps serving', async () => {
    const post = (body: unknown) =>
      fetch(`${url}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    const cases: [unknown, number, RegExp][] = [
      ['{not json', 400, /not JSON/],
      [{ messages: [] }, 400, /messages/],
      [{ messages: [{ role: 'user', content: 'hello' }] }, 400, /at least one image/],
      [
        {
          messages: [
            { role: 'user', content: [{ type: 'image_url', image_url: { url: 'http://example.com/a.png' } }] },
          ],
        },
        400,
        /data: URLs/,
      ],
      [
        {
          messages: [
            { role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] },
          ],
        },
        400,
        /could not be decoded/,
      ],
      [{ model: 'other', messages: [{ role: 'user', content: 'x' }] }, 404, /no model 'other'/],
      [{ stream: true, messages: [{ role: 'user', content: 'x' }] }, 400, /stream/],
    ];
    for (const [body, status, message] of cases) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
    const ok = await fetch(`${url}/models`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
  });
});

describe('tempo ground --server', () => {
  let clip: string;
  beforeAll(async () => {
    clip = await makeVideo({
      durationS: 12,
      width: 320,
      height: 180,
      events: [{ kind: 'box', from: 4, to: 8, x: 40, y: 40, w: 80, h: 80, color: 'white' }],
    });
    await tempoJson(home, ['import', clip]);
  });

  it('grounds a recording through the server and stores the run without the token', async () => {
    const { doc } = await tempoJson<GroundResult>(home, [
      'ground',
      '1',
      'a white box appears',
      '--server',
      url,
      '--token',
      TOKEN,
      '--samples',
      '2',
      '--context',
      '256',
    ]);
    expect(doc).toMatchObject({ query: 'a white box appears', model: 'tiny', device: `remote ${url}` });
    expect(doc.refused).toBe(false);
    expect(doc.segments.length).toBeGreaterThan(0);
    for (const s of doc.segments) {
      expect(s.startS).toBeGreaterThanOrEqual(0);
      expect(s.endS).toBeGreaterThan(s.startS);
      expect(s.confidence).toBeGreaterThan(0);
      expect(s.confidence).toBeLessThanOrEqual(1);
    }
    expect(doc.timings['modelMs']).toBeGreaterThan(0);
    const db = new Database(path.join(home, 'tempo.sqlite'), { readonly: true });
    const run = db.prepare('SELECT settings, window_plan FROM runs').get() as { settings: string; window_plan: string };
    const jobs = db.prepare('SELECT payload FROM jobs').all() as { payload: string }[];
    db.close();
    expect(JSON.parse(run.settings)).toMatchObject({ server: url, samples: 2, pairFrames: false });
    for (const w of JSON.parse(run.window_plan) as { answers: string[] }[]) expect(w.answers).toHaveLength(2);
    expect(jobs.map((j) => j.payload).join('')).not.toContain(TOKEN);
    const raw = fs.readFileSync(path.join(home, 'tempo.sqlite'));
    expect(raw.includes(Buffer.from(TOKEN))).toBe(false);
  });

  it('says in one line that the token is wrong, or that the server is down', async () => {
    const wrong = await tempo(home, ['ground', '1', 'a box', '--server', url, '--token', 'not-the-token']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr.trim()).toBe(
      `tempo: model server ${url} refused the token (401): pass the server's token with --token`,
    );
    const closed = `http://127.0.0.1:${await freePort()}/v1`;
    const down = await tempo(home, ['ground', '1', 'a box', '--server', closed, '--token', TOKEN]);
    expect(down.code).toBe(2);
    expect(down.stderr.trim()).toBe(`tempo: model server ${closed} is not reachable (ECONNREFUSED)`);
    const usage = await tempo(home, ['ground', '1', 'a box', '--server', url, '--device', 'cpu']);
    expect(usage.code).toBe(2);
  });
});

describe('stopping tempo serve-model', () => {
  it('closes on SIGTERM with status 0', async () => {
    server.child.kill('SIGTERM');
    const end = await server.done;
    expect(end.code).toBe(0);
    expect(end.stderr).toBe('');
  });
});

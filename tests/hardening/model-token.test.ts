/**
 * A model server's token goes only to the URL it was given for (issue 11): fake model
 * servers on 127.0.0.1 record the Authorization header of every request. A token from
 * TEMPO_SERVER_TOKEN (kept for the model server set when `tempo serve` starts) or from the
 * settings form (kept for the URL it was saved with) is not sent to another URL, neither
 * when checking the server nor by the job worker that sends the frames, nor after a redirect.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeVideo } from '../fixtures/make-video.js';
import { tempHome } from '../support/tempo-cli.js';
import { fakeModelServer, jobsSettled, startVictim, type FakeModelServer, type Victim } from './web-fixtures.js';

const ENV_TOKEN = 'env-token-for-server-a-only';
const FORM_TOKEN = 'form-token-for-server-a-only';

let a: FakeModelServer;
let b: FakeModelServer;
let victim: Victim;

beforeAll(async () => {
  a = await fakeModelServer();
  b = await fakeModelServer();
  const home = tempHome();
  const clip = await makeVideo({
    durationS: 6,
    width: 320,
    height: 180,
    events: [{ kind: 'box', from: 2, to: 4, x: 40, y: 40, w: 80, h: 80, color: 'white' }],
  });
  fs.copyFileSync(clip, path.join(home, 'camera-1.mp4'));
  // The operator sets model server A, then starts tempo serve with A's token in the environment.
  const first = await startVictim(home);
  expect((await first.call('settings.set', { serverUrl: a.url, confirmUrlChange: true })).status).toBe(200);
  expect((await first.call('library.import', { paths: [path.join(home, 'camera-1.mp4')] })).status).toBe(200);
  await jobsSettled(first);
  await first.stop();
  victim = await startVictim(home, [], { TEMPO_SERVER_TOKEN: ENV_TOKEN });
});

afterAll(async () => {
  await victim?.stop();
  await a?.close();
  await b?.close();
});

/** Runs a query with the model server of the settings and waits for its jobs. */
async function query(): Promise<void> {
  const run = await victim.call<{ error?: string }>('query.run', { text: 'a white box', recordingIds: [] });
  expect(run.status, run.body.error).toBe(200);
  await jobsSettled(victim);
}

const auths = (s: FakeModelServer) => s.seen.map((x) => x.authorization ?? '');

describe("a model server's token", () => {
  it('from TEMPO_SERVER_TOKEN goes to the server set at start, and not to another one set later', async () => {
    await query();
    expect(auths(a)).toContain(`Bearer ${ENV_TOKEN}`);
    expect(a.seen.some((s) => s.path.endsWith('/chat/completions'))).toBe(true);

    expect((await victim.call('settings.set', { serverUrl: b.url, confirmUrlChange: true })).status).toBe(200);
    await query();
    // B was asked (listing and frames, by the worker too) but never got A's token.
    expect(b.seen.some((s) => s.path.endsWith('/models'))).toBe(true);
    expect(b.seen.some((s) => s.path.endsWith('/chat/completions'))).toBe(true);
    expect(auths(b).join('\n')).not.toContain(ENV_TOKEN);
  });

  it('from the settings form goes to the URL it was saved with, and not to the next one', async () => {
    const saved = await victim.call('settings.set', {
      serverUrl: a.url,
      confirmUrlChange: true,
      serverToken: FORM_TOKEN,
    });
    expect(saved.status).toBe(200);
    a.seen.length = 0;
    await query();
    expect(auths(a)).toContain(`Bearer ${FORM_TOKEN}`);

    b.seen.length = 0;
    expect((await victim.call('settings.set', { serverUrl: b.url, confirmUrlChange: true })).status).toBe(200);
    await query();
    expect(b.seen.length).toBeGreaterThan(0);
    expect(auths(b).join('\n')).not.toContain(FORM_TOKEN);
    expect(auths(b).join('\n')).not.toContain(ENV_TOKEN);
  });

  it('does not follow a redirect to another server', async () => {
    expect((await victim.call('settings.set', { serverUrl: a.url, confirmUrlChange: true })).status).toBe(200);
    a.redirectTo = b.url;
    b.seen.length = 0;
    try {
      const run = await victim.call<{ error: string }>('query.run', { text: 'a white box', recordingIds: [] });
      expect(run.status).toBeGreaterThanOrEqual(400);
      expect(run.body.error).not.toContain('\n');
    } finally {
      a.redirectTo = null;
    }
    expect(auths(b).join('\n')).not.toContain(FORM_TOKEN);
    expect(auths(b).join('\n')).not.toContain(ENV_TOKEN);
  });

  it('is refused without a model server URL to keep it for', async () => {
    expect((await victim.call('settings.set', { serverUrl: null })).status).toBe(200);
    const res = await victim.call<{ error: string }>('settings.set', { serverToken: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/needs a model server URL/);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { settingsRequest } from '../../../src-main/engine/api/queries.js';
import { setSettings } from '../../../src-main/engine/api/settings.js';
import { UsageError } from '../../../src-main/engine/errors.js';
import { openTempEngine, type TempEngine } from '../../support/engine.js';

const A = 'http://127.0.0.1:8765/v1';
const B = 'http://10.0.0.2:8765/v1';
const C = 'http://10.0.0.3:8765/v1';

let t: TempEngine | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

describe('a pool of model servers in the settings', () => {
  it('asks queries through the pool: the server first, its pool after, with the requests per server', () => {
    t = openTempEngine();
    const { engine } = t;
    expect(settingsRequest(engine).server).toBeUndefined();
    setSettings(engine, { serverUrl: A, confirmUrlChange: true });
    // One server: asked as ever, no pool.
    expect(settingsRequest(engine)).toMatchObject({ server: [A] });
    expect(settingsRequest(engine).perServer).toBeUndefined();
    setSettings(engine, { poolUrls: [B, C, A], perServer: 4, confirmUrlChange: true });
    expect(settingsRequest(engine)).toMatchObject({ server: [A, B, C], perServer: 4 });
  });

  it('wants every new pool URL confirmed, http(s), and a server first; refusing changes nothing', () => {
    t = openTempEngine();
    const { engine } = t;
    expect(() => setSettings(engine, { poolUrls: [B] })).toThrow(/needs a model server URL first/);
    setSettings(engine, { serverUrl: A, confirmUrlChange: true });
    expect(() => setSettings(engine, { poolUrls: [B] })).toThrow(
      new UsageError(
        `changing the model server URL to ${B} needs the operator's confirmation (confirmUrlChange: true)`,
      ),
    );
    expect(() => setSettings(engine, { poolUrls: ['ftp://10.0.0.2/v1'], confirmUrlChange: true })).toThrow(
      /must be an http:\/\/ or https:\/\/ address/,
    );
    expect(engine.settings.get().poolUrls).toEqual([]);
    // URLs already in use need no second confirmation.
    setSettings(engine, { poolUrls: [B], confirmUrlChange: true });
    expect(setSettings(engine, { poolUrls: [B], perServer: 3 }).settings).toMatchObject({
      poolUrls: [B],
      perServer: 3,
    });
  });

  it('keeps the token for the server and its pool only', () => {
    t = openTempEngine();
    const { engine } = t;
    setSettings(engine, { serverUrl: A, poolUrls: [B], confirmUrlChange: true, serverToken: 'secret-token-1' });
    expect(engine.serverTokens.get(A)).toBe('secret-token-1');
    expect(engine.serverTokens.get(B)).toBe('secret-token-1');
    expect(engine.serverTokens.get(C)).toBeUndefined();
  });
});

/**
 * The IPC bridge under plain Node: a fake ipcMain records the handlers main registers, and
 * the preload's `window.tempo` (tempo-bridge.ts) is wired to it through a fake ipcRenderer,
 * so the renderer's client sees what it would see in the app. A real engine on a temp folder.
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../src-shared/api.js';
import { channels, type IpcResult } from '../../../src-main/electron/channels.js';
import { openDialogOptions, pathPicker } from '../../../src-main/electron/dialogs.js';
import {
  createIpcBridge,
  forwardEngineEvents,
  type InvokeEventLike,
  type IpcMainLike,
} from '../../../src-main/electron/ipc-bridge.js';
import { createTempoBridge, type IpcRendererLike } from '../../../src-main/electron/tempo-bridge.js';
import { Engine } from '../../../src-main/engine/engine.js';
import { bridgeClient } from '../../../src-renderer/src/lib/client.js';

type Listener = (event: InvokeEventLike, ...args: unknown[]) => unknown;

/** Records what main registers; `invoke` plays the renderer's ipcRenderer.invoke. */
class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Listener>();
  handle(channel: string, listener: Listener): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  async invoke(channel: string, event: InvokeEventLike, ...args: unknown[]): Promise<IpcResult> {
    const listener = this.handlers.get(channel);
    if (!listener) throw new Error(`No handler registered for '${channel}'`);
    return (await listener(event, ...args)) as IpcResult;
  }
}

const APP_PAGE = { senderFrame: { url: 'file:///opt/tempo/out/renderer/index.html' } };

let home: string;
let engine: Engine;
const ipcMain = new FakeIpcMain();
const picked: string[] = [];
let bridge: { dispose(): void };

beforeAll(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'tempo-ipc-'));
  engine = Engine.open(home);
  bridge = createIpcBridge({
    ipcMain,
    engine,
    isTrustedSender: (event) => event.senderFrame?.url === APP_PAGE.senderFrame.url,
    pickPaths: async (kind) => {
      picked.push(kind);
      return kind === 'folder' ? ['/recordings/line-3'] : [];
    },
  });
});

afterAll(async () => {
  bridge?.dispose();
  await engine?.shutdown();
  fs.rmSync(home, { recursive: true, force: true });
});

describe("main's tempo:call handler", () => {
  it('answers a good call with its output', async () => {
    expect(await ipcMain.invoke(channels.call, APP_PAGE, 'library.list', {})).toEqual({
      ok: true,
      value: { recordings: [] },
    });
    const settings = await ipcMain.invoke(channels.call, APP_PAGE, 'settings.get', undefined);
    expect(settings).toMatchObject({ ok: true, value: { dataFolder: home } });
  });

  it('answers bad input with a one-line usage error naming the field', async () => {
    const result = await ipcMain.invoke(channels.call, APP_PAGE, 'recording.detail', { recordingId: 'three' });
    expect(result).toMatchObject({ ok: false, usage: true });
    expect(result.ok === false && result.error).toMatch(/^recording\.detail: recordingId: /);
    expect(result.ok === false && result.error).not.toContain('\n');
  });

  it('answers an unknown call name or id as a usage error', async () => {
    expect(await ipcMain.invoke(channels.call, APP_PAGE, 'library.drop', {})).toEqual({
      ok: false,
      error: "no call named 'library.drop'",
      usage: true,
    });
    expect(await ipcMain.invoke(channels.call, APP_PAGE, 42, {})).toMatchObject({ ok: false, usage: true });
    expect(await ipcMain.invoke(channels.call, APP_PAGE, 'recording.detail', { recordingId: 9 })).toEqual({
      ok: false,
      error: 'no recording with id 9',
      usage: true,
    });
  });

  it('refuses a sender that is not the app page', async () => {
    const result = await ipcMain.invoke(
      channels.call,
      { senderFrame: { url: 'https://example.com/' } },
      'library.list',
    );
    expect(result).toMatchObject({ ok: false, usage: true });
    expect(await ipcMain.invoke(channels.call, { senderFrame: null }, 'library.list')).toMatchObject({ ok: false });
  });
});

describe("main's tempo:pick-paths handler", () => {
  it('answers the paths the dialog picked, and a usage error for another kind', async () => {
    expect(await ipcMain.invoke(channels.pickPaths, APP_PAGE, 'folder')).toEqual({
      ok: true,
      value: ['/recordings/line-3'],
    });
    expect(await ipcMain.invoke(channels.pickPaths, APP_PAGE, 'everything')).toMatchObject({
      ok: false,
      usage: true,
    });
    expect(picked).toEqual(['folder']);
  });

  it('asks the native dialog for several videos or several folders; cancel picks nothing', async () => {
    expect(openDialogOptions('files').properties).toEqual(['openFile', 'multiSelections']);
    expect(openDialogOptions('folder').properties).toEqual(['openDirectory', 'multiSelections']);
    const pick = pathPicker(async (options) => ({
      canceled: options.properties?.includes('openDirectory') ?? false,
      filePaths: ['/a.mp4'],
    }));
    expect(await pick('files')).toEqual(['/a.mp4']);
    expect(await pick('folder')).toEqual([]);
  });
});

describe('window.tempo over the bridge, as the renderer client sees it', () => {
  /** The preload's ipcRenderer: invokes reach FakeIpcMain as the app page; sends reach listeners. */
  const renderer = new EventEmitter();
  const ipcRenderer: IpcRendererLike = {
    invoke: (channel, ...args) => ipcMain.invoke(channel, APP_PAGE, ...args),
    on: (channel, listener) => renderer.on(channel, listener),
    removeListener: (channel, listener) => renderer.removeListener(channel, listener),
  };
  const tempo = createTempoBridge({ ipcRenderer, getPathForFile: () => '/dropped.mp4', version: '9.9.9' });
  const client = bridgeClient(tempo);

  it('resolves a call to its checked output', async () => {
    expect(tempo.version).toBe('9.9.9');
    expect(await client.call('library.list', {})).toEqual({ recordings: [] });
    expect(await tempo.pickPaths('folder')).toEqual(['/recordings/line-3']);
  });

  it("rejects with the operator's message, without Electron's prefix", async () => {
    await expect(client.call('recording.detail', { recordingId: 9 })).rejects.toThrow(/^no recording with id 9$/);
    await expect(tempo.call('review.accept', {})).rejects.toThrow(/^review\.accept: segmentId: /);
  });

  it('hears engine events until it unsubscribes', () => {
    const stop = forwardEngineEvents(engine, (channel, event) => renderer.emit(channel, {}, event));
    const heard: EngineEvent[] = [];
    const unsubscribe = client.onEvent((event) => heard.push(event));
    engine.events.emit('event', { kind: 'library-changed' });
    unsubscribe();
    engine.events.emit('event', { kind: 'library-changed' });
    stop();
    expect(heard).toEqual([{ kind: 'library-changed' }]);
    expect(renderer.listenerCount(channels.event)).toBe(0);
    expect(client.pathForFile({} as File)).toBe('/dropped.mp4');
  });

  it('answers an internal failure as not a usage error', async () => {
    const closed = Engine.open(fs.mkdtempSync(path.join(os.tmpdir(), 'tempo-ipc-closed-')));
    const other = new FakeIpcMain();
    createIpcBridge({ ipcMain: other, engine: closed });
    closed.close();
    const result = await other.invoke(channels.call, {}, 'library.list', {});
    expect(result).toMatchObject({ ok: false, usage: false });
    expect(result.ok === false && result.error.length).toBeGreaterThan(0);
    fs.rmSync(closed.paths.home, { recursive: true, force: true });
  });
});

describe('dispose', () => {
  it('removes the handlers it registered', () => {
    const other = new FakeIpcMain();
    createIpcBridge({ ipcMain: other, engine }).dispose();
    expect(other.handlers.size).toBe(0);
  });
});

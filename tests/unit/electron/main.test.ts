/**
 * How main.ts wires Electron, with the electron module replaced by fakes (the binary
 * cannot run here): the privileged media scheme, the single-instance lock, the sandboxed
 * window, the IPC bridge and media protocol on a real engine, events to the window, jobs
 * left to the worker, navigation locked to the app, and a clean shutdown on quit.
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Engine } from '../../../src-main/engine/engine.js';

// The factories below run when main.ts is imported (in beforeAll), after these fakes exist.
const fake = (() => {
  const windows: FakeWindow[] = [];
  class FakeWindow extends EventEmitter {
    readonly webContents = { send: vi.fn() };
    readonly loadFile = vi.fn(async (_file: string) => undefined);
    readonly loadURL = vi.fn(async (_url: string) => undefined);
    readonly focus = vi.fn();
    readonly restore = vi.fn();
    readonly show = vi.fn();
    isMinimized = () => true;
    isDestroyed = () => false;
    constructor(readonly options: unknown) {
      super();
      windows.push(this);
    }
    static getAllWindows = () => windows;
  }
  const app = Object.assign(new EventEmitter(), {
    isPackaged: true,
    requestSingleInstanceLock: vi.fn(() => true),
    whenReady: vi.fn(async () => undefined),
    quit: vi.fn(),
  });
  const handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
  const electron = {
    app,
    BrowserWindow: FakeWindow,
    dialog: { showOpenDialog: vi.fn(), showErrorBox: vi.fn() },
    ipcMain: {
      handle: (channel: string, listener: (event: unknown, ...args: unknown[]) => unknown) =>
        handlers.set(channel, listener),
      removeHandler: (channel: string) => handlers.delete(channel),
    },
    protocol: { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn(), unhandle: vi.fn() },
    session: {
      defaultSession: {
        webRequest: { onHeadersReceived: vi.fn() },
        setPermissionRequestHandler: vi.fn(),
        setPermissionCheckHandler: vi.fn(),
      },
    },
  };
  const runner = { stop: vi.fn(async () => undefined) };
  const startJobWorker = vi.fn((..._args: unknown[]) => runner);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tempo-electron-main-'));
  return { electron, windows, handlers, runner, startJobWorker, home };
})();

vi.mock('electron', () => fake.electron);
vi.mock('../../../src-main/engine/worker/job-runner.js', () => ({ startJobWorker: fake.startJobWorker }));

const { app, protocol } = fake.electron;
let engine: Engine;
let pageUrl: string;

beforeAll(async () => {
  vi.stubEnv('TEMPO_HOME', fake.home);
  await import('../../../src-main/electron/main.js');
  await vi.waitFor(() => expect(fake.windows).toHaveLength(1));
  engine = fake.startJobWorker.mock.calls[0]?.[0] as Engine;
  pageUrl = `file://${fake.windows[0]?.loadFile.mock.calls[0]?.[0]}`;
});

afterAll(async () => {
  if (engine?.db.open) await engine.shutdown();
  vi.unstubAllEnvs();
  fs.rmSync(fake.home, { recursive: true, force: true });
});

describe('the Electron main process', () => {
  it('registers tempo-media as a privileged streaming scheme and handles it', () => {
    expect(protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      { scheme: 'tempo-media', privileges: { standard: true, secure: true, stream: true, supportFetchAPI: true } },
    ]);
    expect(protocol.handle).toHaveBeenCalledWith('tempo-media', expect.any(Function));
  });

  it('takes the single-instance lock and focuses its window for a second instance', () => {
    expect(app.requestSingleInstanceLock).toHaveBeenCalled();
    app.emit('second-instance');
    expect(fake.windows[0]?.restore).toHaveBeenCalled();
    expect(fake.windows[0]?.focus).toHaveBeenCalled();
  });

  it('opens one sandboxed window on the built renderer', () => {
    expect(fake.windows[0]?.options).toMatchObject({
      webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false },
    });
    expect(pageUrl).toMatch(/\/renderer\/index\.html$/);
  });

  it('opens the engine on the data folder and leaves its jobs to the worker thread', () => {
    expect(engine.paths.home).toBe(path.resolve(fake.home));
    const [, , workerUrl] = fake.startJobWorker.mock.calls[0] ?? [];
    expect(String(workerUrl)).toMatch(/\/job-worker\.js$/);
  });

  it("answers the app page's calls and refuses other senders", async () => {
    const call = fake.handlers.get('tempo:call');
    expect(await call?.({ senderFrame: { url: pageUrl } }, 'library.list', {})).toEqual({
      ok: true,
      value: { recordings: [] },
    });
    expect(await call?.({ senderFrame: { url: 'https://example.com/' } }, 'library.list', {})).toMatchObject({
      ok: false,
    });
    expect(fake.handlers.has('tempo:pick-paths')).toBe(true);
  });

  it('forwards engine events to the window', () => {
    engine.events.emit('event', { kind: 'library-changed' });
    expect(fake.windows[0]?.webContents.send).toHaveBeenCalledWith('tempo:event', { kind: 'library-changed' });
  });

  it('keeps every web contents on the app: no navigation away, no new windows, no webviews', () => {
    const contents = Object.assign(new EventEmitter(), { setWindowOpenHandler: vi.fn() });
    app.emit('web-contents-created', {}, contents);
    const away = { url: 'https://example.com/', preventDefault: vi.fn() };
    contents.emit('will-navigate', away);
    expect(away.preventDefault).toHaveBeenCalled();
    const home = { url: `${pageUrl}#/review`, preventDefault: vi.fn() };
    contents.emit('will-navigate', home);
    expect(home.preventDefault).not.toHaveBeenCalled();
    const webview = { preventDefault: vi.fn() };
    contents.emit('will-attach-webview', webview);
    expect(webview.preventDefault).toHaveBeenCalled();
    const open = contents.setWindowOpenHandler.mock.calls[0]?.[0] as () => unknown;
    expect(open()).toEqual({ action: 'deny' });
  });

  it('stops the worker and closes the engine before quitting', async () => {
    const event = { preventDefault: vi.fn() };
    app.emit('before-quit', event);
    expect(event.preventDefault).toHaveBeenCalled();
    await vi.waitFor(() => expect(app.quit).toHaveBeenCalled());
    expect(fake.runner.stop).toHaveBeenCalled();
    expect(protocol.unhandle).toHaveBeenCalledWith('tempo-media');
    expect(engine.db.open).toBe(false);
    expect(fake.handlers.size).toBe(0);
  });
});

/**
 * Electron main process: one locked instance, one sandboxed window, no remote content.
 * It opens the engine on the data folder, answers the window's contract calls over IPC
 * (ipc-bridge.ts), serves library media on `tempo-media:` (media-protocol.ts), forwards
 * engine events, and leaves every job to a worker thread (startJobWorker). The logic lives
 * in those plain modules; this file only wires Electron to them.
 */
import { app, BrowserWindow, dialog, ipcMain, protocol, session, type WebContents } from 'electron';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bindEnvServerToken } from '../engine/api/ground.js';
import { Engine } from '../engine/engine.js';
import { defaultHome } from '../engine/home.js';
import { startJobWorker, type JobRunner } from '../engine/worker/job-runner.js';
import { MEDIA_SCHEME } from '../../src-shared/media-url.js';
import { pathPicker } from './dialogs.js';
import { createIpcBridge, forwardEngineEvents } from './ipc-bridge.js';
import { mediaProtocolHandler, mediaSchemePrivileges } from './media-protocol.js';
import { contentSecurityPolicy, isAllowedNavigation, windowOptions } from './window-options.js';

/** Set by `electron-vite dev` to the Vite dev server; absent in builds. */
const devServerUrl = app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL'];
const preloadPath = fileURLToPath(new URL('../preload/index.cjs', import.meta.url));
const rendererFile = fileURLToPath(new URL('../renderer/index.html', import.meta.url));
/** The job worker, built beside this file (electron.vite.config.ts emits out/main/job-worker.js). */
const jobWorkerUrl = new URL('./job-worker.js', import.meta.url);
const appUrl = devServerUrl ?? pathToFileURL(rendererFile).href;

let mainWindow: BrowserWindow | null = null;

/** Whether a message or request comes from the app's own page. */
const fromApp = (url: string | undefined): boolean => url !== undefined && isAllowedNavigation(url, appUrl);

function createWindow(): void {
  const window = new BrowserWindow(windowOptions(preloadPath));
  mainWindow = window;
  window.once('ready-to-show', () => window.show());
  window.on('closed', () => {
    mainWindow = null;
  });
  const loaded = devServerUrl ? window.loadURL(devServerUrl) : window.loadFile(rendererFile);
  loaded.catch((error: unknown) => {
    console.error('Tempo Review: could not load the renderer', error);
  });
}

function secureSession(): void {
  const policy = contentSecurityPolicy(devServerUrl !== undefined);
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [policy] },
    });
  });
  session.defaultSession.setPermissionRequestHandler((_webContents, _permission, callback) => {
    callback(false);
  });
  session.defaultSession.setPermissionCheckHandler(() => false);
}

function lockDown(contents: WebContents): void {
  const stay = (event: { url: string; preventDefault(): void }) => {
    if (!fromApp(event.url)) event.preventDefault();
  };
  contents.on('will-navigate', stay);
  contents.on('will-redirect', stay);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** Opens the engine, its job worker, the IPC bridge and the media protocol. Returns the shutdown. */
function startEngine(): () => Promise<void> {
  const engine = Engine.open(defaultHome());
  // TEMPO_SERVER_TOKEN goes to the model server set now, and to no other URL (before the job worker starts).
  bindEnvServerToken(engine, engine.settings.get().serverUrl);
  const runner: JobRunner = startJobWorker(
    engine,
    (message) => console.error(`Tempo Review: ${message}`),
    jobWorkerUrl,
  );
  const bridge = createIpcBridge({
    ipcMain,
    engine,
    isTrustedSender: (event) => fromApp(event.senderFrame?.url),
    pickPaths: pathPicker((options) =>
      mainWindow ? dialog.showOpenDialog(mainWindow, options) : dialog.showOpenDialog(options),
    ),
  });
  const stopEvents = forwardEngineEvents(engine, (channel, event) => {
    if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(channel, event);
  });
  protocol.handle(MEDIA_SCHEME, mediaProtocolHandler(engine));
  return async () => {
    protocol.unhandle(MEDIA_SCHEME);
    stopEvents();
    bridge.dispose();
    await runner.stop();
    await engine.shutdown();
  };
}

// Privileges must be set before the app is ready.
protocol.registerSchemesAsPrivileged([{ scheme: MEDIA_SCHEME, privileges: mediaSchemePrivileges }]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let shutdown: (() => Promise<void>) | null = null;
  let quitting = false;

  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  app.on('web-contents-created', (_event, contents) => lockDown(contents));

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  // Let the job worker finish its step and the store close before the process ends.
  app.on('before-quit', (event) => {
    if (!shutdown || quitting) return;
    event.preventDefault();
    quitting = true;
    shutdown()
      .catch((error: unknown) => console.error('Tempo Review: shutdown failed', error))
      .finally(() => {
        shutdown = null;
        app.quit();
      });
  });

  app
    .whenReady()
    .then(() => {
      secureSession();
      try {
        shutdown = startEngine();
      } catch (error) {
        dialog.showErrorBox('Tempo Review cannot open its data folder', (error as Error).message);
        app.quit();
        return;
      }
      createWindow();
      app.on('activate', () => {
        if (BrowserWindow.getAllWindows().length === 0) createWindow();
      });
    })
    .catch((error: unknown) => {
      console.error('Tempo Review: failed to start', error);
      app.quit();
    });
}

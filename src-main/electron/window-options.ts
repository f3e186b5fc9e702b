/**
 * Pure settings of the Electron shell: window options, the Content-Security-Policy and
 * the navigation rule. Only types come from 'electron', so this module loads and is
 * unit-tested under plain Node.
 */
import type { BrowserWindowConstructorOptions } from 'electron';
import { MEDIA_SCHEME } from '../../src-shared/media-url.js';
import { appCsp } from '../http/csp.js';

/**
 * Options of the one application window. The renderer gets no Node.js: it runs
 * sandboxed and isolated, and reaches the app only through the preload's `window.tempo`.
 *
 * @param preloadPath absolute path of the built preload script (`out/preload/index.cjs`)
 */
export function windowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    title: 'Tempo Review',
    width: 1280,
    height: 800,
    minWidth: 800,
    minHeight: 560,
    show: false,
    autoHideMenuBar: true,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  };
}

/** What the dev server needs besides: Vite injects component CSS as inline `<style>` and talks HMR over a local WebSocket. */
const DEV_ADDITIONS: Readonly<Record<string, string>> = {
  'style-src': "'unsafe-inline'",
  'connect-src': 'ws://localhost:* ws://127.0.0.1:*',
};

/**
 * The Content-Security-Policy of the window (http/csp.ts, with library media from the
 * app's own media scheme). `src-renderer/index.html` carries the production value in its
 * meta tag (a test keeps the two equal); the dev server gets two relaxations.
 */
export function contentSecurityPolicy(dev = false): string {
  return appCsp({ mediaScheme: MEDIA_SCHEME, additions: dev ? DEV_ADDITIONS : undefined });
}

/**
 * Whether the window may navigate from `appUrl` to `targetUrl`: only within the app
 * itself (same origin for the dev server; the same file, any hash, when packaged).
 */
export function isAllowedNavigation(targetUrl: string, appUrl: string): boolean {
  let target: URL;
  let app: URL;
  try {
    target = new URL(targetUrl);
    app = new URL(appUrl);
  } catch {
    return false;
  }
  if (app.protocol === 'file:') {
    return target.protocol === 'file:' && target.pathname === app.pathname;
  }
  return target.origin === app.origin;
}

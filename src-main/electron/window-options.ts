/**
 * Pure settings of the Electron shell: window options, the Content-Security-Policy and
 * the navigation rule. Only types come from 'electron', so this module loads and is
 * unit-tested under plain Node.
 */
import type { BrowserWindowConstructorOptions } from 'electron';

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

/** Directives shared by the packaged app and the dev server: nothing remote, no inline script. */
const BASE_POLICY: readonly string[] = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  // Library posters, stills and recordings come through the app's own media scheme.
  "img-src 'self' data: blob: tempo-media:",
  "media-src 'self' blob: tempo-media:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
];

/**
 * The Content-Security-Policy of the window. `src-renderer/index.html` carries the
 * production value in its meta tag (a test keeps the two equal). The dev server needs
 * two relaxations: Vite injects component CSS as inline `<style>` and talks HMR over a
 * local WebSocket.
 */
export function contentSecurityPolicy(dev = false): string {
  if (!dev) return BASE_POLICY.join('; ');
  return BASE_POLICY.map((directive) => {
    if (directive.startsWith('style-src ')) return `${directive} 'unsafe-inline'`;
    if (directive.startsWith('connect-src ')) return `${directive} ws://localhost:* ws://127.0.0.1:*`;
    return directive;
  }).join('; ');
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

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  contentSecurityPolicy,
  isAllowedNavigation,
  windowOptions,
} from '../../../src-main/electron/window-options.js';

describe('windowOptions', () => {
  const options = windowOptions('/app/out/preload/index.cjs');

  it('isolates and sandboxes the renderer without Node.js', () => {
    expect(options.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });
});

describe('contentSecurityPolicy', () => {
  it('allows only the app itself and no inline script or style', () => {
    const policy = contentSecurityPolicy();
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("script-src 'self';");
    expect(policy).toContain("object-src 'none'");
    expect(policy).not.toMatch(/unsafe-|https?:|\*/);
  });

  it('lets images and media come from the app and its tempo-media: scheme only', () => {
    const policy = contentSecurityPolicy();
    expect(policy).toContain("img-src 'self' data: blob: tempo-media:;");
    expect(policy).toContain("media-src 'self' blob: tempo-media:;");
  });

  it('relaxes only styles and the local HMR socket for the dev server', () => {
    const policy = contentSecurityPolicy(true);
    expect(policy).toContain("style-src 'self' 'unsafe-inline'");
    expect(policy).toContain("connect-src 'self' ws://localhost:* ws://127.0.0.1:*");
    expect(policy).toContain("script-src 'self';");
    expect(policy).not.toContain('unsafe-eval');
  });

  it('matches the meta tag of src-renderer/index.html', () => {
    const html = readFileSync(new URL('../../../src-renderer/index.html', import.meta.url), 'utf8');
    expect(html).toContain(`content="${contentSecurityPolicy()}"`);
  });
});

describe('isAllowedNavigation', () => {
  const packaged = 'file:///opt/tempo/resources/app.asar/out/renderer/index.html';
  const dev = 'http://localhost:5173/';

  it('keeps the packaged window on its own page', () => {
    expect(isAllowedNavigation(`${packaged}#/review`, packaged)).toBe(true);
    expect(isAllowedNavigation('file:///etc/passwd', packaged)).toBe(false);
    expect(isAllowedNavigation('https://example.com/', packaged)).toBe(false);
  });

  it('keeps the dev window on the dev server origin', () => {
    expect(isAllowedNavigation('http://localhost:5173/index.html', dev)).toBe(true);
    expect(isAllowedNavigation('http://localhost:8080/', dev)).toBe(false);
    expect(isAllowedNavigation('not a url', dev)).toBe(false);
  });
});

/**
 * The client for this window: the Electron bridge when the preload offers calls, else web
 * mode's HTTP with the token from the address `tempo serve` printed.
 */
import { bridgeClient, type Client } from './client.js';
import { httpClient } from './http-client.js';

/** Storage of the web-mode token, so a reload keeps working. */
export const TOKEN_KEY = 'tempo.token';

/**
 * Takes the token from the address `tempo serve` printed (`?token=T`), keeps it in
 * `storage`, and returns it with the address to show instead (without the token), or
 * null when the address had none. Without one in the address, the stored token is used.
 */
export function takeToken(
  href: string,
  storage: Pick<Storage, 'getItem' | 'setItem'> | null,
): { token: string | null; cleanHref: string | null } {
  const url = new URL(href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    try {
      storage?.setItem(TOKEN_KEY, fromUrl);
    } catch {
      // Storage disabled: this page still has the token (a reload will need the printed address again).
    }
    url.searchParams.delete('token');
    return { token: fromUrl, cleanHref: url.toString() };
  }
  try {
    return { token: storage?.getItem(TOKEN_KEY) ?? null, cleanHref: null };
  } catch {
    return { token: null, cleanHref: null };
  }
}

/** The client for this window: the Electron bridge when the preload offers calls, else HTTP. */
export function createClient(win: Window): Client {
  const bridge = win.tempo;
  if (bridge?.call && bridge.onEvent) {
    const { call, onEvent, pathForFile } = bridge;
    return bridgeClient({ call, onEvent, pathForFile });
  }
  let storage: Storage | null = null;
  try {
    storage = win.sessionStorage;
  } catch {
    // Access to sessionStorage can throw where the browser blocks storage.
  }
  const { token, cleanHref } = takeToken(win.location.href, storage);
  if (cleanHref) win.history.replaceState(win.history.state, '', cleanHref);
  return httpClient({ fetch: (input, init) => fetch(input, init), token });
}

import { env } from '@huggingface/transformers';

/**
 * Local files only: no hub, no file cache inside node_modules (read-only when packaged), and a
 * fetch that refuses, so a missing file is an error instead of a download.
 */
export function configureOffline(localModelPath: string): void {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = localModelPath;
  env.useFSCache = false;
  env.useBrowserCache = false;
  env.fetch = (input: string | URL | Request) =>
    Promise.reject(new Error(`offline: refused to fetch ${typeof input === 'string' ? input : String(input)}`));
}

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import { contentSecurityPolicy } from './src-main/electron/window-options.js';

const root = import.meta.dirname;
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { version: string };

/** Native or heavy packages the main process loads from node_modules at run time. */
const nativeDeps = ['better-sqlite3', 'onnxruntime-node', 'sharp', '@huggingface/transformers', 'fluent-ffmpeg'];

/**
 * index.html carries the production CSP. Under the dev server, swap in the dev policy,
 * which allows Vite's inline styles and its HMR WebSocket.
 */
function devCsp(): Plugin {
  return {
    name: 'tempo:dev-csp',
    apply: 'serve',
    transformIndexHtml: (html) => html.replace(contentSecurityPolicy(false), contentSecurityPolicy(true)),
  };
}

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      externalizeDeps: { include: nativeDeps },
      rollupOptions: {
        // The job worker is an entry of its own: main starts it from out/main/job-worker.js.
        input: {
          index: resolve(root, 'src-main/electron/main.ts'),
          'job-worker': resolve(root, 'src-main/engine/worker/job-worker.ts'),
        },
      },
    },
  },
  preload: {
    define: { __TEMPO_VERSION__: JSON.stringify(pkg.version) },
    build: {
      outDir: 'out/preload',
      // A sandboxed preload cannot require() from node_modules: bundle everything, as CommonJS.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(root, 'src-main/electron/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src-renderer'),
    plugins: [svelte({ configFile: resolve(root, 'svelte.config.js') }), devCsp()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      rollupOptions: {
        input: resolve(root, 'src-renderer/index.html'),
      },
    },
  },
});

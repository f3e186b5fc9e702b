import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExportError } from '../../../src-main/engine/models/errors.js';
import { exportModel } from '../../../src-main/engine/models/export.js';
import { installModel } from '../../../src-main/engine/models/install.js';
import { MANIFEST_FILE } from '../../../src-main/engine/models/manifest.js';
import { listModels } from '../../../src-main/engine/models/registry.js';
import { writeModelFolder } from '../../fixtures/model-folder.js';

let tmp: string;
let home: string;

beforeEach(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tempo-export-'));
  home = path.join(tmp, 'home');
  fs.mkdirSync(home);
  const src = writeModelFolder(path.join(tmp, 'src'));
  fs.writeFileSync(path.join(src, 'README.md'), 'model card');
  await installModel(home, src, { name: 'tuned' });
});

afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function files(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .sort();
}

describe('exportModel', () => {
  it('copies an installed model, manifest included, that installs on another data folder', async () => {
    const usb = path.join(tmp, 'usb');
    const seen: number[] = [];
    const exported = await exportModel(home, 'tuned', usb, { env: {}, onProgress: (p) => seen.push(p.copiedBytes) });
    const dir = path.join(usb, 'tuned');
    expect(exported).toMatchObject({ name: 'tuned', dir, from: path.join(home, 'models', 'tuned') });
    // Nothing but the model: no hidden copy left beside it.
    expect(fs.readdirSync(usb)).toEqual(['tuned']);
    expect(files(dir)).toEqual(files(path.join(home, 'models', 'tuned')));
    expect(files(dir)).toContain(MANIFEST_FILE);
    expect(seen.at(-1)).toBe(exported.bytes);

    const other = path.join(tmp, 'offline');
    fs.mkdirSync(other);
    const installed = await installModel(other, dir);
    expect(installed).toMatchObject({ complete: true, dir: path.join(other, 'models', 'tuned') });
    expect(installed.manifest?.name).toBe('tuned');
    expect(listModels(other, {}).map((m) => [m.manifest?.name, m.complete])).toEqual([['tuned', true]]);
    expect(fs.readFileSync(path.join(other, 'models', 'tuned', 'README.md'), 'utf8')).toBe('model card');
  });

  it('refuses an existing target, an unknown model and a broken one, leaving nothing behind', async () => {
    const usb = path.join(tmp, 'usb');
    await exportModel(home, 'tuned', usb, { env: {} });
    await expect(exportModel(home, 'tuned', usb, { env: {} })).rejects.toThrow(/already exists/);
    await expect(exportModel(home, 'nope', usb, { env: {} })).rejects.toThrow(
      expect.objectContaining({ usage: true, message: expect.stringMatching(/no model named 'nope'/) }),
    );
    fs.rmSync(path.join(home, 'models', 'tuned', 'onnx', 'embed_tokens.onnx'));
    const err = await exportModel(home, 'tuned', path.join(tmp, 'usb2'), { env: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExportError);
    expect((err as Error).message).toMatch(/not complete: missing onnx\/embed_tokens.onnx/);
    expect(fs.existsSync(path.join(tmp, 'usb2', 'tuned'))).toBe(false);
    expect(fs.readdirSync(usb)).toEqual(['tuned']);
  });

  it('leaves no half-written folder when cancelled, and clears hidden copies a killed export left', async () => {
    const usb = path.join(tmp, 'usb');
    fs.mkdirSync(path.join(usb, '.tempo-export-tuned-dead'), { recursive: true });
    const ctl = new AbortController();
    const run = exportModel(home, 'tuned', usb, {
      env: {},
      signal: ctl.signal,
      onProgress: () => ctl.abort(),
    });
    await expect(run).rejects.toThrow(new ExportError('cancelled'));
    expect(fs.readdirSync(usb)).toEqual([]);
    await exportModel(home, 'tuned', usb, { env: {} });
    expect(fs.readdirSync(usb)).toEqual(['tuned']);
  });
});

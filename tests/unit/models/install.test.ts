import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InstallError } from '../../../src-main/engine/models/errors.js';
import { installModel } from '../../../src-main/engine/models/install.js';
import { MANIFEST_FILE } from '../../../src-main/engine/models/manifest.js';
import { findModel, listModels } from '../../../src-main/engine/models/registry.js';
import { writeModelFolder } from '../../fixtures/model-folder.js';

let home: string;
let usb: string;

beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'tempo-install-'));
  usb = fs.mkdtempSync(path.join(os.tmpdir(), 'tempo-usb-'));
});

afterEach(() => {
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(usb, { recursive: true, force: true });
});

const models = () => (fs.existsSync(path.join(home, 'models')) ? fs.readdirSync(path.join(home, 'models')) : []);

describe('installModel', () => {
  it('copies a complete folder into <home>/models/<name>, renamed and listed', async () => {
    const src = writeModelFolder(path.join(usb, 'finetune-7'));
    fs.writeFileSync(path.join(src, 'README.md'), 'trained on our verdicts');
    const installed = await installModel(home, src, { name: 'tuned' });
    expect(installed).toMatchObject({ dir: path.join(home, 'models', 'tuned'), complete: true });
    expect(installed.manifest?.name).toBe('tuned');
    expect(fs.readFileSync(path.join(home, 'models', 'tuned', 'README.md'), 'utf8')).toBe('trained on our verdicts');
    // The source stays as it was.
    expect(JSON.parse(fs.readFileSync(path.join(src, MANIFEST_FILE), 'utf8')).name).toBe('tiny');
    expect(listModels(home, {}).map((m) => m.manifest?.name)).toEqual(['tuned']);
    expect(findModel(home, 'tuned', {}).complete).toBe(true);
    expect(
      listModels(home, {}).map((m) => ({ name: m.manifest?.name, dir: m.dir, family: m.manifest?.family })),
    ).toEqual([{ name: 'tuned', dir: path.join(home, 'models', 'tuned'), family: 'qwen2_vl' }]);
    expect(models()).toEqual(['tuned']);
  });

  it('keeps the manifest name by default and refuses a second model of that name', async () => {
    const src = writeModelFolder(path.join(usb, 'a'));
    await installModel(home, src);
    expect(models()).toEqual(['tiny']);
    await expect(installModel(home, src)).rejects.toThrow(/a model named 'tiny' is already installed/);
    expect(models()).toEqual(['tiny']);
  });

  it('refuses an incomplete folder with its reason and leaves nothing behind', async () => {
    const src = writeModelFolder(path.join(usb, 'broken'));
    fs.rmSync(path.join(src, 'onnx', 'embed_tokens.onnx'));
    await expect(installModel(home, src)).rejects.toThrow(new InstallError(`${src}: missing onnx/embed_tokens.onnx`));
    await expect(installModel(home, path.join(usb, 'nowhere'))).rejects.toThrow(/is not a folder/);
    await expect(installModel(home, writeModelFolder(path.join(usb, 'ok')), { name: 'bad name!' })).rejects.toThrow(
      /model name 'bad name!'/,
    );
    expect(models()).toEqual([]);
    expect(listModels(home, {})).toEqual([]);
  });

  it('clears copies a killed install left behind', async () => {
    fs.mkdirSync(path.join(home, 'models', '.install-x-0000'), { recursive: true });
    await installModel(home, writeModelFolder(path.join(usb, 'a')));
    expect(models()).toEqual(['tiny']);
  });
});

describe('installModel from a snapshot of links', () => {
  it('copies the files behind symlinks, so the model works without the stick', async () => {
    // As the hub cache lays it out: snapshots/<commit>/<file> -> the same repo's blobs.
    const blobs = writeModelFolder(path.join(usb, 'models--org--tiny', 'blobs'));
    const snap = path.join(usb, 'models--org--tiny', 'snapshots', 'c'.repeat(40));
    fs.mkdirSync(path.join(snap, 'onnx'), { recursive: true });
    for (const rel of [
      'tempo-model.json',
      'config.json',
      'preprocessor_config.json',
      'tokenizer.json',
      'tokenizer_config.json',
      'onnx/vision_encoder.onnx',
      'onnx/embed_tokens.onnx',
      'onnx/decoder_model_merged.onnx',
    ])
      fs.symlinkSync(path.join(blobs, rel), path.join(snap, rel));
    await installModel(home, snap, { name: 'snap' });
    fs.rmSync(usb, { recursive: true, force: true });
    expect(fs.lstatSync(path.join(home, 'models', 'snap', 'onnx', 'embed_tokens.onnx')).isSymbolicLink()).toBe(false);
    expect(findModel(home, 'snap', {}).complete).toBe(true);
  });
});

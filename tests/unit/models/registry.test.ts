import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { availableDevices, checkDevice } from '../../../src-main/engine/models/devices.js';
import { checkModelDir, MANIFEST_FILE, requiredFiles } from '../../../src-main/engine/models/manifest.js';
import { findModel, listModels } from '../../../src-main/engine/models/registry.js';
import { writeModelFolder } from '../../fixtures/model-folder.js';

let home: string;
const manifest = { name: 'tiny', family: 'qwen2_vl', profile: 'qwen2-vl', source: 'random (test)' };

function writeModel(dir: string, m: Record<string, unknown> = manifest): void {
  writeModelFolder(dir, m);
}

beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'tempo-models-'));
});

describe('checkModelDir', () => {
  it('accepts a complete folder and names the files of its dtypes', () => {
    const dir = path.join(home, 'models', 'tiny');
    writeModel(dir, { ...manifest, dtype: { decoder_model_merged: 'q4f16' } });
    const check = checkModelDir(dir);
    expect(check).toMatchObject({ complete: true, problems: [] });
    expect(requiredFiles(check.manifest!)).toContain('onnx/decoder_model_merged_q4f16.onnx');
    expect(check.manifest?.contextTokens).toBe(8192);
  });

  it('gives one clear reason per missing, empty or corrupt file', () => {
    const dir = path.join(home, 'broken');
    writeModel(dir);
    fs.rmSync(path.join(dir, 'onnx', 'embed_tokens.onnx'));
    fs.writeFileSync(path.join(dir, 'tokenizer.json'), '{"model": ');
    fs.writeFileSync(path.join(dir, 'onnx', 'vision_encoder.onnx'), 'hello');
    fs.writeFileSync(path.join(dir, 'config.json'), '');
    const { complete, problems } = checkModelDir(dir);
    expect(complete).toBe(false);
    expect(problems).toHaveLength(4);
    expect(problems).toContain('missing onnx/embed_tokens.onnx');
    expect(problems).toContain('config.json is empty');
    expect(problems).toContain('onnx/vision_encoder.onnx is corrupt: not an ONNX model');
    expect(problems.find((p) => p.startsWith('tokenizer.json is corrupt: '))).toBeDefined();
    for (const p of problems) expect(p).not.toContain('\n');
  });

  it('rejects a manifest with an unknown family or profile, or none at all', () => {
    const dir = path.join(home, 'odd');
    writeModel(dir);
    fs.writeFileSync(path.join(dir, MANIFEST_FILE), JSON.stringify({ ...manifest, profile: 'gpt' }));
    expect(checkModelDir(dir).problems).toEqual([
      `${MANIFEST_FILE}: profile: one of qwen2-vl, time-r1, timelens, qwen3-vl`,
    ]);
    fs.writeFileSync(path.join(dir, MANIFEST_FILE), JSON.stringify({ ...manifest, family: 'llama' }));
    expect(checkModelDir(dir).problems[0]).toMatch(/^tempo-model.json: family: /);
    fs.rmSync(path.join(dir, MANIFEST_FILE));
    expect(checkModelDir(dir).problems).toEqual([`no ${MANIFEST_FILE}`]);
  });
});

describe('registry', () => {
  it('lists models under <home>/models and TEMPO_MODELS and finds them by name or folder', () => {
    writeModel(path.join(home, 'models', 'a'), { ...manifest, name: 'alpha' });
    const usb = fs.mkdtempSync(path.join(os.tmpdir(), 'tempo-usb-'));
    writeModel(path.join(usb, 'b'), { ...manifest, name: 'beta' });
    const env = { TEMPO_MODELS: usb };
    expect(listModels(home, env).map((m) => m.manifest?.name)).toEqual(['alpha', 'beta']);
    expect(findModel(home, 'beta', env).dir).toBe(path.join(usb, 'b'));
    expect(findModel(home, path.join(usb, 'b'), {}).manifest?.name).toBe('beta');
    expect(() => findModel(home, 'gamma', env)).toThrow("no model named 'gamma' (installed: alpha, beta;");
    expect(() => findModel(home, './nowhere', env)).toThrow(/does not exist/);
  });
});

describe('devices', () => {
  const backends = () => [
    { name: 'cpu', bundled: true },
    { name: 'webgpu', bundled: true },
    { name: 'cuda', bundled: false },
  ];

  it('counts bundled providers, and CUDA only once its libraries are installed', () => {
    expect(availableDevices(backends, () => false)).toEqual(['cpu', 'webgpu']);
    expect(availableDevices(backends, () => true)).toEqual(['cpu', 'webgpu', 'cuda']);
  });

  it('refuses an unavailable or unknown device, naming what is available', () => {
    expect(checkDevice('webgpu', ['cpu', 'webgpu'])).toBe('webgpu');
    expect(() => checkDevice('cuda', ['cpu', 'webgpu'])).toThrow(
      "device 'cuda' is not available here; available: cpu, webgpu",
    );
    expect(() => checkDevice('auto', ['cpu'])).toThrow("unknown device 'auto': use one of cpu, webgpu, cuda, dml");
  });

  it('reads the real onnxruntime-node here: cpu is always there', () => {
    expect(availableDevices()).toContain('cpu');
  });
});

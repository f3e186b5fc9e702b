import { cliError } from '../../../src-main/cli/errors.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installModel } from '../../../src-main/engine/models/install.js';
import { Dtype, MANIFEST_FILE, graphPath } from '../../../src-main/engine/models/manifest.js';
import { readOnnxGraph } from '../../../src-main/engine/models/onnx-graph.js';
import { chooseDtypes, neededRepoFiles, presentDtypes } from '../../../src-main/engine/models/dtypes.js';
import { listModels } from '../../../src-main/engine/models/registry.js';
import { minimalOnnx, writeModelFolder, writePublishedExport } from '../../fixtures/model-folder.js';

let home: string;
let usb: string;

beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'tempo-pub-'));
  usb = fs.mkdtempSync(path.join(os.tmpdir(), 'tempo-pub-usb-'));
});

afterEach(() => {
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(usb, { recursive: true, force: true });
});

const installed = () => (fs.existsSync(path.join(home, 'models')) ? fs.readdirSync(path.join(home, 'models')) : []);
const filesOf = (dir: string) =>
  fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => fs.statSync(path.join(dir, f)).isFile());

describe('installing a transformers.js export as published (no tempo-model.json)', () => {
  it('takes family, profile and dtype from the folder, copies only what the dtype needs, writes the manifest into the copy', async () => {
    const src = writePublishedExport(path.join(usb, 'Qwen3-VL-2B-Instruct-ONNX'), {
      family: 'qwen3_vl',
      dtypes: ['fp32', 'q8', 'q4f16'],
    });
    fs.mkdirSync(path.join(src, 'onnxruntime', 'cpu'), { recursive: true });
    fs.writeFileSync(path.join(src, 'onnxruntime', 'cpu', 'text.onnx'), minimalOnnx(['input_ids']));
    const done = await installModel(home, src, { name: 'q3' });
    expect(done.complete).toBe(true);
    expect(done.manifest).toMatchObject({
      name: 'q3',
      family: 'qwen3_vl',
      profile: 'qwen3-vl',
      dtype: { vision_encoder: 'q8', embed_tokens: 'q8', decoder_model_merged: 'q8' },
    });
    expect(done.notices[0]).toMatch(/^qwen3_vl, answer profile qwen3-vl, dtype q8 \(the cpu rule; present: /);
    expect(filesOf(done.dir).sort()).toEqual(
      [
        'config.json',
        'generation_config.json',
        'preprocessor_config.json',
        'tempo-model.json',
        'tokenizer.json',
        'tokenizer_config.json',
        ...['vision_encoder', 'embed_tokens', 'decoder_model_merged'].flatMap((s) => [
          `onnx/${s}_quantized.onnx`,
          `onnx/${s}_quantized.onnx_data`,
        ]),
      ].sort(),
    );
    expect(fs.existsSync(path.join(src, MANIFEST_FILE))).toBe(false);
    expect(listModels(home, {}).map((m) => [m.manifest?.name, m.complete])).toEqual([['q3', true]]);
  });

  it('prefers half precision on a GPU, and --dtype overrides the rule for every session', async () => {
    const src = writePublishedExport(path.join(usb, 'm'), { dtypes: ['fp32', 'q8', 'q4f16'] });
    expect((await installModel(home, src, { name: 'gpu', device: 'webgpu' })).manifest?.dtype).toEqual({
      vision_encoder: 'q4f16',
      embed_tokens: 'q4f16',
      decoder_model_merged: 'q4f16',
    });
    expect((await installModel(home, src, { name: 'full', dtype: 'fp32' })).manifest?.dtype.embed_tokens).toBe('fp32');
    const missing = await installModel(home, src, { name: 'x', dtype: 'q4' }).catch((e: unknown) => e);
    expect((missing as Error).message).toBe(
      `${src}: missing onnx/vision_encoder_q4.onnx for the dtype q4 (present: fp32, q8, q4f16)`,
    );
    // As the CLI says it.
    expect(cliError(missing).message).toBe(
      `${src}: missing onnx/vision_encoder_q4.onnx for --dtype q4 (present: fp32, q8, q4f16)`,
    );
    expect(installed()).toEqual(['full', 'gpu']);
  });

  it('knows every dtype suffix transformers.js knows, without taking q4 for q4f16', () => {
    const files = Dtype.options.map((d) => graphPath('decoder_model_merged', d));
    expect(presentDtypes(files).decoder_model_merged).toEqual(Dtype.options);
    expect(files).toContain('onnx/decoder_model_merged_q1f16.onnx');
    const one = presentDtypes([
      'onnx/vision_encoder_q4f16.onnx',
      'onnx/embed_tokens_q4f16.onnx',
      'onnx/decoder_model_merged_q4f16.onnx',
    ]);
    expect(one.vision_encoder).toEqual(['q4f16']);
    expect(chooseDtypes(one, 'cpu').vision_encoder).toBe('q4f16');
  });

  it('picks from a repo listing only the files the chosen dtype needs', () => {
    const listing = [
      'README.md',
      '.gitattributes',
      'config.json',
      'tokenizer.json',
      'onnx/decoder_model_merged_q4.onnx',
      'onnx/decoder_model_merged_q4.onnx_data',
      'onnx/decoder_model_merged_q4.onnx_data_1',
      'onnx/decoder_model_merged_q4f16.onnx',
      'onnx/decoder_model_merged_q4f16.onnx_data',
      'onnx/decoder_model_merged.onnx',
      'onnx/decoder_model_merged.onnx_data',
      'onnxruntime/text.onnx',
    ];
    const dtypes = { vision_encoder: 'q4', embed_tokens: 'q4', decoder_model_merged: 'q4' } as const;
    expect(neededRepoFiles(listing, dtypes)).toEqual([
      'README.md',
      'config.json',
      'tokenizer.json',
      'onnx/decoder_model_merged_q4.onnx',
      'onnx/decoder_model_merged_q4.onnx_data',
      'onnx/decoder_model_merged_q4.onnx_data_1',
    ]);
  });

  it('installs a hub snapshot folder of relative symlinks as real files, named after the repo', async () => {
    const repo = path.join(usb, 'models--onnx-community--Qwen2-VL-2B-Instruct');
    const blobs = writePublishedExport(path.join(repo, 'blobs'));
    const snap = path.join(repo, 'snapshots', 'a'.repeat(40));
    for (const rel of filesOf(blobs)) {
      fs.mkdirSync(path.dirname(path.join(snap, rel)), { recursive: true });
      fs.symlinkSync(path.relative(path.dirname(path.join(snap, rel)), path.join(blobs, rel)), path.join(snap, rel));
    }
    const done = await installModel(home, snap);
    expect(done.manifest?.name).toBe('Qwen2-VL-2B-Instruct');
    for (const rel of filesOf(done.dir)) expect(fs.lstatSync(path.join(done.dir, rel)).isSymbolicLink()).toBe(false);
    expect(done.complete).toBe(true);
  });

  it('nests the text_config of a flat Qwen2.5-VL config in the installed copy and says so', async () => {
    const flat = {
      model_type: 'qwen2_5_vl',
      vision_config: { tokens_per_second: 2 },
      num_hidden_layers: 2,
      hidden_size: 64,
    };
    const src = writePublishedExport(path.join(usb, 'time-r1'), { family: 'qwen2_5_vl', config: flat });
    const done = await installModel(home, src, { profile: 'time-r1' });
    expect(done.notices).toContain(
      'config.json is flat (an older qwen2_5_vl save): wrote text_config into the installed copy',
    );
    const config = JSON.parse(fs.readFileSync(path.join(done.dir, 'config.json'), 'utf8'));
    expect(config.text_config).toEqual({ model_type: 'qwen2_5_vl_text', num_hidden_layers: 2, hidden_size: 64 });
    expect(JSON.parse(fs.readFileSync(path.join(src, 'config.json'), 'utf8'))).toEqual(flat);
    expect(done.manifest?.profile).toBe('time-r1');
  });

  it('stops at cancel with nothing installed', async () => {
    const src = writePublishedExport(path.join(usb, 'big'), { dataBytes: 8 * 1024 * 1024 });
    const ctl = new AbortController();
    const p = installModel(home, src, {
      signal: ctl.signal,
      onProgress: (x) => (x.copiedBytes > 1024 * 1024 ? ctl.abort() : undefined),
    });
    await expect(p).rejects.toThrow('cancelled');
    expect(installed()).toEqual([]);
  });
});

describe('bad model folders: one line naming the file, nothing half-installed, other models untouched', () => {
  beforeEach(async () => {
    await installModel(home, writeModelFolder(path.join(usb, 'kept')));
  });
  afterEach(() => {
    expect(installed()).toEqual(['tiny']);
    expect(listModels(home, {})[0]?.complete).toBe(true);
  });

  const cases: [string, (dir: string) => void, string | RegExp][] = [
    [
      'a LLaVA export',
      (d) => fs.writeFileSync(path.join(d, 'config.json'), JSON.stringify({ model_type: 'llava', vision_config: {} })),
      "config.json: model_type 'llava' is not a Qwen2-VL-family video-language model (qwen2_vl, qwen2_5_vl, qwen3_vl)",
    ],
    [
      'an unknown model_type',
      (d) => fs.writeFileSync(path.join(d, 'config.json'), JSON.stringify({ model_type: 'qwen9_vl' })),
      "config.json: model_type 'qwen9_vl' is not a Qwen2-VL-family video-language model",
    ],
    [
      'a text-only export',
      (d) => {
        fs.writeFileSync(path.join(d, 'config.json'), JSON.stringify({ model_type: 'qwen2_vl', vision_config: {} }));
        fs.rmSync(path.join(d, 'onnx', 'vision_encoder.onnx'));
      },
      'onnx/: no vision_encoder graph (not a vision-language export: a text-only model?)',
    ],
    [
      'a config.json that is not JSON',
      (d) => fs.writeFileSync(path.join(d, 'config.json'), '{"model_type": '),
      /^.*: config.json is not JSON: /,
    ],
    [
      'a missing external data file',
      (d) => fs.rmSync(path.join(d, 'onnx', 'decoder_model_merged.onnx_data')),
      'missing onnx/decoder_model_merged.onnx_data (external data of onnx/decoder_model_merged.onnx)',
    ],
    [
      'a short external data file',
      (d) => fs.truncateSync(path.join(d, 'onnx', 'embed_tokens.onnx_data'), 3000),
      'onnx/embed_tokens.onnx_data is too short: 3000 bytes, onnx/embed_tokens.onnx needs 4096',
    ],
    [
      'a manifest whose dtypes the graphs do not match',
      (d) =>
        fs.writeFileSync(
          path.join(d, MANIFEST_FILE),
          JSON.stringify({
            name: 'mixed',
            family: 'qwen2_vl',
            profile: 'qwen2-vl',
            source: 's',
            dtype: { decoder_model_merged: 'q4' },
          }),
        ),
      'tempo-model.json: decoder_model_merged is q4 but onnx/decoder_model_merged_q4.onnx is missing (present: fp32)',
    ],
    [
      'a vision encoder without the family grid input',
      (d) =>
        fs.writeFileSync(
          path.join(d, 'config.json'),
          JSON.stringify({ model_type: 'qwen2_5_vl', vision_config: {}, text_config: { num_hidden_layers: 2 } }),
        ),
      "onnx/vision_encoder.onnx: no 'image_grid_thw' input, which qwen2_5_vl needs (inputs: pixel_values, grid_thw)",
    ],
    ['a name that is taken', () => undefined, /a model named 'tiny' is already installed/],
  ];

  it.each(cases)('refuses %s', async (_what, spoil, message) => {
    const src = writePublishedExport(path.join(usb, 'tiny'));
    spoil(src);
    const err = await installModel(home, src).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.name).toBe('InstallError');
    expect(err?.message).not.toContain('\n');
    if (typeof message === 'string') expect(err?.message).toContain(message);
    else expect(err?.message).toMatch(message);
    expect(fs.readdirSync(path.join(home, 'models')).filter((e) => e.startsWith('.'))).toEqual([]);
  });
});

describe('readOnnxGraph', () => {
  it('reads input names and external-data entries, and flags locations outside the folder', async () => {
    const file = path.join(usb, 'g.onnx');
    fs.writeFileSync(
      file,
      minimalOnnx(
        ['pixel_values', 'grid_thw'],
        [
          { location: 'g.onnx_data', offset: 0, count: 10 },
          { location: '../escape', offset: 64, count: 2 },
        ],
      ),
    );
    const info = readOnnxGraph(file);
    expect(info.inputs).toEqual(['pixel_values', 'grid_thw']);
    expect(info.external).toEqual([
      { tensor: 'w0', location: 'g.onnx_data', offset: 0, length: 40 },
      { tensor: 'w1', location: '../escape', offset: 64, length: 8 },
    ]);
    const { externalDataProblems } = await import('../../../src-main/engine/models/onnx-graph.js');
    expect(externalDataProblems(file, info, 'onnx/g.onnx')).toEqual([
      'missing onnx/g.onnx_data (external data of onnx/g.onnx)',
      "onnx/g.onnx: external data location '../escape' is outside the model folder",
    ]);
  });
});

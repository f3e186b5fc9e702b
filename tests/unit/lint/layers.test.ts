import { ESLint } from 'eslint';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tseslint from 'typescript-eslint';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain-JS ESLint plugin of this repo, without types
import layers, { layerProblem } from '../../../scripts/lint/layers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** Lints `target` in a scratch tree of `files` with only the layer rule on. */
async function lint(files: Record<string, string>, target: string): Promise<string[]> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tempo-layers-'));
  dirs.push(root);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  const eslint = new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser },
        plugins: { tempo: layers as ESLint.Plugin },
        rules: { 'tempo/layers': 'error' },
      },
    ],
  });
  const [result] = await eslint.lintFiles([target]);
  return (result?.messages ?? []).map((m) => m.message);
}

describe('the layer rule (scripts/lint/layers.js)', () => {
  it('fails an import that points up a floor', async () => {
    const messages = await lint(
      {
        'src-main/engine/media/probe.ts': "import { handle } from '../api/handlers.js';\nexport const x = handle;\n",
        'src-main/engine/api/handlers.ts': 'export const handle = 1;\n',
      },
      'src-main/engine/media/probe.ts',
    );
    expect(messages).toEqual([
      'layers: src-main/engine/media may not import src-main/engine/api: it is a floor above (imports point down)',
    ]);
  });

  it('passes an import that points down, and one inside a folder', async () => {
    const messages = await lint(
      {
        'src-main/engine/api/handlers.ts':
          "import { probe } from '../media/probe.js';\nimport { y } from './y.js';\nexport const h = probe + y;\n",
        'src-main/engine/api/y.ts': 'export const y = 2;\n',
        'src-main/engine/media/probe.ts': 'export const probe = 1;\n',
      },
      'src-main/engine/api/handlers.ts',
    );
    expect(messages).toEqual([]);
  });

  it('fails an import between two folders of one floor, and a shell importing another shell', async () => {
    expect(
      await lint(
        {
          'src-main/engine/saa/a.ts': "import type { C } from '../cache/c.js';\nexport type A = C;\n",
          'src-main/engine/cache/c.ts': 'export type C = number;\n',
        },
        'src-main/engine/saa/a.ts',
      ),
    ).toEqual(['layers: src-main/engine/saa may not import src-main/engine/cache: they are side by side on one floor']);
    expect(layerProblem('src-main/cli/main.ts', 'src-main/electron/main.ts')).toMatch(/side by side/);
    expect(layerProblem('src-shared/api.ts', 'src-main/engine/errors.ts')).toMatch(/floor above/);
    expect(layerProblem('src-main/engine/jobs/queue.ts', 'src-main/engine/errors.ts')).toBeNull();
  });

  it('fails an import circle inside one folder', async () => {
    const messages = await lint(
      {
        'src-main/engine/models/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
        'src-main/engine/models/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
      },
      'src-main/engine/models/a.ts',
    );
    expect(messages).toEqual([
      'layers: import circle src-main/engine/models/a.ts -> src-main/engine/models/b.ts -> src-main/engine/models/a.ts',
    ]);
  });
});

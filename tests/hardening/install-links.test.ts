/**
 * `tempo models install` probed as an attacker would: links out of the folder and huge
 * JSON files. Found: a README.md linked to a private key outside the folder was copied into
 * the installed model; a 300 MB manifest was read whole (2.3 GB peak) and stored in SQLite.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installModel } from '../../src-main/engine/models/install.js';
import { checkModelDir, MANIFEST_FILE } from '../../src-main/engine/models/manifest.js';
import { writeModelFolder, writePublishedExport } from '../fixtures/model-folder.js';
import { installedModels } from '../support/files.js';
import { removeTempDirs, tempDir, tempHome } from '../support/temp.js';

let home: string;
let usb: string;
let secret: string;

beforeEach(() => {
  home = tempHome();
  usb = tempDir('tempo-hard-usb-');
  secret = path.join(tempDir('tempo-hard-ssh-'), 'id_ed25519');
  fs.writeFileSync(secret, '-----BEGIN OPENSSH PRIVATE KEY-----\nsecret\n');
});

afterEach(removeTempDirs);

const everything = (dir: string) =>
  fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .map((f) => fs.readFileSync(path.join(dir, f), 'latin1'))
    .join('\n');

describe('links out of a model folder are never followed', () => {
  it('leaves out an optional file that links outside, and says so', async () => {
    const src = writePublishedExport(path.join(usb, 'm'));
    fs.symlinkSync(secret, path.join(src, 'README.md'));
    const done = await installModel(home, src);
    expect(done.notices).toContain('left out links out of the folder: README.md');
    expect(everything(done.dir)).not.toContain('PRIVATE KEY');
  });

  it.each(['config.json', 'onnx/decoder_model_merged.onnx', 'onnx/embed_tokens.onnx_data'])(
    'refuses a needed file (%s) that links outside, installing nothing',
    async (rel) => {
      const src = writePublishedExport(path.join(usb, 'm'));
      const outsideCopy = path.join(path.dirname(secret), path.basename(rel));
      fs.copyFileSync(path.join(src, rel), outsideCopy);
      fs.rmSync(path.join(src, rel));
      fs.symlinkSync(outsideCopy, path.join(src, rel));
      await expect(installModel(home, src)).rejects.toThrow(`${rel} is a link out of the model folder`);
      expect(installedModels(home)).toEqual([]);
    },
  );

  it("follows a hub snapshot's links into its own repo's blobs", async () => {
    const repo = path.join(usb, 'models--org--tiny');
    const blobs = writePublishedExport(path.join(repo, 'blobs'));
    const snap = path.join(repo, 'snapshots', 'b'.repeat(40));
    for (const rel of fs.readdirSync(blobs, { recursive: true, encoding: 'utf8' })) {
      if (!fs.statSync(path.join(blobs, rel)).isFile()) continue;
      fs.mkdirSync(path.dirname(path.join(snap, rel)), { recursive: true });
      fs.symlinkSync(path.relative(path.dirname(path.join(snap, rel)), path.join(blobs, rel)), path.join(snap, rel));
    }
    expect((await installModel(home, snap)).complete).toBe(true);
  });
});

describe('JSON files of a model folder are bounded', () => {
  it('refuses a 300 MB manifest unread, and lists such a folder as broken without reading it', async () => {
    const src = writeModelFolder(path.join(usb, 'huge'));
    const fd = fs.openSync(path.join(src, MANIFEST_FILE), 'r+');
    fs.ftruncateSync(fd, 300 * 1024 ** 2);
    fs.closeSync(fd);
    const before = process.memoryUsage().rss;
    await expect(installModel(home, src)).rejects.toThrow(
      `tempo-model.json is too large: ${300 * 1024 ** 2} bytes (at most 65536 for this file)`,
    );
    expect(checkModelDir(src).problems).toEqual([`tempo-model.json is too large: ${300 * 1024 ** 2} bytes`]);
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 ** 2);
  });

  it('refuses an oversized config.json', async () => {
    const src = writePublishedExport(path.join(usb, 'cfg'));
    fs.truncateSync(path.join(src, 'config.json'), 5 * 1024 ** 2);
    await expect(installModel(home, src)).rejects.toThrow(/config.json is too large: 5242880 bytes/);
  });
});

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { copyFiles, type CopyProgress } from './copy-files.js';
import { ExportError } from './errors.js';
import { checkModelDir, type ModelCheck } from './manifest.js';
import { findModel, ModelNotFoundError } from './registry.js';

/**
 * `tempo models export`: an installed model folder, manifest included, copied to
 * `<out>/<name>` so that `tempo models install <out>/<name>` works on a PC with no network
 * (the USB-stick path). The copy is made in a hidden folder beside the target and renamed
 * into place once complete and checked: a failed or cancelled export leaves no
 * `<out>/<name>`.
 */

export interface ExportRequest {
  signal?: AbortSignal;
  onProgress?: (p: CopyProgress) => void;
  env?: NodeJS.ProcessEnv;
}

export interface Exported {
  name: string;
  /** The source folder and the new one. */
  from: string;
  dir: string;
  files: string[];
  bytes: number;
}

/** Hidden copies in the target folder, which no registry lists; removed when a later export finds them. */
const TEMP_PREFIX = '.tempo-export-';

/** FAT32 (MSDOS_SUPER_MAGIC on Linux) holds no file of 4 GiB or more. */
const FAT_MAGIC = 0x4d44;
const FAT_LIMIT = 2 ** 32 - 1;

/** Every file under `dir` (links followed), relative with `/`. */
function walk(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    const st = fs.statSync(path.join(dir, rel));
    if (st.isDirectory()) out.push(...walk(dir, rel));
    else if (st.isFile()) out.push(rel);
  }
  return out.sort();
}

/** Copies the model named `nameOrDir` (installed, or a folder path) into `<outDir>/<its name>`. */
export async function exportModel(
  home: string,
  nameOrDir: string,
  outDir: string,
  req: ExportRequest = {},
): Promise<Exported> {
  let model: ModelCheck;
  try {
    model = findModel(home, nameOrDir, req.env);
  } catch (err) {
    if (err instanceof ModelNotFoundError) throw new ExportError(err.message, true);
    throw err;
  }
  if (!model.manifest || !model.complete)
    throw new ExportError(
      `model ${model.manifest?.name ?? model.dir} is not complete: ${model.problems.join('; ')}`,
      true,
    );
  const name = model.manifest.name;
  const out = path.resolve(outDir);
  const target = path.join(out, name);
  const from = path.resolve(model.dir);
  if (from === target || target.startsWith(from + path.sep))
    throw new ExportError(`${out} is inside the model folder ${from}`, true);
  if (fs.existsSync(target)) throw new ExportError(`${target} already exists`, true);
  try {
    fs.mkdirSync(out, { recursive: true });
  } catch (err) {
    throw new ExportError(`cannot create ${out}: ${(err as Error).message.split('\n')[0]}`);
  }
  for (const e of fs.readdirSync(out)) {
    if (e.startsWith(TEMP_PREFIX)) fs.rmSync(path.join(out, e), { recursive: true, force: true });
  }

  const files = walk(from);
  const sizes = files.map((f) => fs.statSync(path.join(from, f)).size);
  const totalBytes = sizes.reduce((a, b) => a + b, 0);
  const space = fs.statfsSync(out);
  if (space.bavail * space.bsize < totalBytes)
    throw new ExportError(
      `not enough free space in ${out}: ${totalBytes} bytes needed, ${space.bavail * space.bsize} free`,
    );
  const big = files.find((_, i) => (sizes[i] as number) > FAT_LIMIT);
  if (space.type === FAT_MAGIC && big)
    throw new ExportError(`${out} is a FAT32 drive, which cannot hold ${big} (4 GiB or more): use exFAT or NTFS`);

  const temp = path.join(out, `${TEMP_PREFIX}${name}-${randomBytes(4).toString('hex')}`);
  try {
    await copyFiles(from, temp, files, totalBytes, req);
    if (req.signal?.aborted) throw new ExportError('cancelled');
    const copied = checkModelDir(temp);
    if (!copied.complete) throw new ExportError(`the copy is incomplete: ${copied.problems.join('; ')}`);
    if (fs.existsSync(target)) throw new ExportError(`${target} already exists`, true);
    fs.renameSync(temp, target);
  } catch (err) {
    fs.rmSync(temp, { recursive: true, force: true });
    if (err instanceof ExportError) throw err;
    if ((err as Error).name === 'AbortError' || req.signal?.aborted) throw new ExportError('cancelled');
    throw new ExportError(`copying to ${out} failed: ${(err as Error).message.split('\n')[0]}`);
  }
  return { name, from, dir: target, files, bytes: totalBytes };
}

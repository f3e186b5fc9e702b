import fs from 'node:fs';
import path from 'node:path';

/**
 * The files of a model folder an install may read: its own, or for a hub snapshot the repo's
 * blobs its links lead to, never a link out of it.
 */

/**
 * Where a folder's links may lead: inside the folder, or, for a hub snapshot
 * (`models--org--name/snapshots/<commit>`), into the same repo's `blobs/` (what the hub
 * cache's relative links point at). Anything else (a link to ~/.ssh) is never followed.
 */
function allowedRoots(src: string): string[] {
  const real = fs.realpathSync(src);
  const roots = [real];
  if (path.basename(path.dirname(src)) === 'snapshots') roots.push(path.join(path.dirname(path.dirname(src)), 'blobs'));
  if (path.basename(path.dirname(real)) === 'snapshots')
    roots.push(path.join(path.dirname(path.dirname(real)), 'blobs'));
  return roots.map((r) => (fs.existsSync(r) ? fs.realpathSync(r) : r));
}

function within(roots: readonly string[], real: string): boolean {
  return roots.some((r) => real === r || real.startsWith(r + path.sep));
}

/** The regular files of the root and onnx/ (links followed only where allowedRoots says), and the links that lead out. */
export function folderFiles(src: string): { files: string[]; outside: string[] } {
  const roots = allowedRoots(src);
  const files: string[] = [];
  const outside: string[] = [];
  const visit = (rel: string) => {
    const abs = path.join(src, rel);
    const st = fs.statSync(abs, { throwIfNoEntry: false });
    if (!st?.isFile()) return;
    if (within(roots, fs.realpathSync(abs))) files.push(rel);
    else outside.push(rel);
  };
  for (const f of fs.readdirSync(src)) visit(f);
  const onnxDir = path.join(src, 'onnx');
  if (fs.statSync(onnxDir, { throwIfNoEntry: false })?.isDirectory())
    for (const f of fs.readdirSync(onnxDir)) visit(`onnx/${f}`);
  return { files, outside };
}

/** The first of `files` (relative to `src`) whose real path leaves the folder, with that path; null when none does. */
export function linkOut(src: string, files: readonly string[]): { file: string; real: string } | null {
  const roots = allowedRoots(src);
  for (const file of files) {
    const real = fs.realpathSync(path.join(src, file));
    if (!within(roots, real)) return { file, real };
  }
  return null;
}

/** A folder's own name, or the repo's for a hub snapshot (models--org--name/snapshots/<commit>). */
export function defaultName(src: string): string {
  const base = path.basename(src);
  const parent = path.dirname(src);
  if (/^[0-9a-f]{40}$/.test(base) && path.basename(parent) === 'snapshots')
    return path.basename(path.dirname(parent)).split('--').at(-1) ?? base;
  return base;
}

import fs from 'node:fs';
import path from 'node:path';
import type { Device } from './devices.js';
import { chooseDtypes, neededRepoFiles, presentDtypes } from './dtypes.js';
import { InstallError, PullError } from './errors.js';
import { Fetcher, inside, sizeOf } from './hub-download.js';
import { hubFetch, listRepoFiles, resolveCommit, type Hub, type RepoFile } from './hub.js';
import { installModel, type Installed } from './install.js';
import { ModelManifest, type Dtype } from './manifest.js';
import { readModelConfig, REQUIRED_ROOT_FILES } from './model-config.js';
import { PROFILES } from './profiles/index.js';
import { listModels } from './registry.js';

/**
 * `tempo models pull`: a transformers.js ONNX export fetched from a Hugging Face hub (or
 * any server answering its API, HF_ENDPOINT) and installed. Only the files the chosen
 * dtypes need are fetched (hub-download.ts: resumed, checked, renamed into place). The
 * folder is `<home>/downloads/<org>--<name>/<commit>/`; it is kept when a pull fails (a
 * rerun resumes) and removed once the install succeeded.
 */

export const DEFAULT_ENDPOINT = 'https://huggingface.co';

export interface PullProgress {
  stage: 'download' | 'install';
  doneBytes: number;
  totalBytes: number;
  file: string;
}

export interface PullRequest {
  /** `owner/name` on the hub. */
  repo: string;
  /** Branch, tag or commit (default: the repo's default branch). */
  revision?: string;
  name?: string;
  /** One dtype for every session; else the device's preference among those the repo has. */
  dtype?: Dtype;
  profile?: string;
  device?: Device;
  /** Hub base URL (default https://huggingface.co). */
  endpoint?: string;
  /** Bearer token for the endpoint only; never written anywhere. */
  token?: string;
  signal?: AbortSignal;
  onProgress?: (p: PullProgress) => void;
  /** A transfer that sends nothing for this long fails (resumable). Default 60 s. */
  idleTimeoutMs?: number;
}

export interface Pulled extends Installed {
  repo: string;
  commit: string;
  /** Files fetched (relative paths) and their total size. */
  files: string[];
  bytes: number;
}

const REPO_PART = /^\w(?:[\w.-]{0,94}\w)?$/;

/** Checks an `owner/name` repo id as the hub spells them; returns the reason it is not one, or null. */
export function repoIdProblem(repo: string): string | null {
  const parts = repo.split('/');
  if (parts.length !== 2) return 'a repo is owner/name';
  for (const p of parts) {
    if (!REPO_PART.test(p) || p.includes('--') || p.includes('..'))
      return 'a repo is owner/name, each letters, digits, - _ . (not at either end, no -- or ..)';
  }
  return null;
}

/** `<home>/downloads/<owner>--<name>/<commit>`. */
export function downloadDir(home: string, repo: string, commit: string): string {
  return path.join(home, 'downloads', repo.split('/').join('--'), commit);
}

export function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n} B`;
}

function checkName(home: string, name: string): void {
  if (!ModelManifest.shape.name.safeParse(name).success)
    throw new PullError(`model name '${name}': letters, digits, . _ - (at most 80); choose another name`, true);
  const target = path.join(home, 'models', name);
  const clash = listModels(home, {}).find((m) => m.manifest?.name === name || m.dir === target);
  if (clash || fs.existsSync(target))
    throw new PullError(
      `a model named '${name}' is already installed (${clash?.dir ?? target}); choose another name`,
      true,
    );
}

/** The model name and the hub a request means, checked before anything is asked of the network. */
function checkRequest(home: string, req: PullRequest): { name: string; hub: Hub } {
  const { repo } = req;
  const bad = repoIdProblem(repo);
  if (bad) throw new PullError(bad, true);
  const name = req.name ?? (repo.split('/')[1] as string);
  checkName(home, name);
  if (req.profile !== undefined && !(req.profile in PROFILES))
    throw new PullError(`unknown answer profile '${req.profile}' (known: ${Object.keys(PROFILES).join(', ')})`, true);
  const endpoint = (req.endpoint ?? DEFAULT_ENDPOINT).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]/.test(endpoint)) throw new PullError(`HF_ENDPOINT '${endpoint}' is not an http(s) URL`, true);
  const hub: Hub = {
    repo,
    endpoint,
    fetch: hubFetch(endpoint, req.token, req.signal),
    ...(req.signal ? { signal: req.signal } : {}),
    idleTimeoutMs: req.idleTimeoutMs ?? 60_000,
  };
  return { name, hub };
}

/** The listed files the chosen dtypes need, root files first (config.json is checked before the weights come). */
function filesToFetch(listed: readonly RepoFile[], req: PullRequest): RepoFile[] {
  const paths = listed.map((f) => f.path);
  let dtypes;
  try {
    dtypes = chooseDtypes(presentDtypes(paths), req.device ?? 'cpu', req.dtype);
  } catch (err) {
    if (err instanceof InstallError) throw new PullError(`not installable: ${err.template}`, true);
    throw err;
  }
  const needed = new Set(neededRepoFiles(paths, dtypes));
  for (const f of REQUIRED_ROOT_FILES) {
    if (!needed.has(f)) throw new PullError(`not a transformers.js export: the repo has no ${f}`, true);
  }
  return listed
    .filter((f) => needed.has(f.path))
    .sort((a, b) => Number(a.path.includes('/')) - Number(b.path.includes('/')));
}

/** Refuses a pull whose rest of the download and installed copy would not fit on the disk. */
function checkSpace(home: string, dir: string, files: readonly RepoFile[], bytes: number): void {
  const have = files.reduce((a, f) => {
    const dest = inside(dir, f.path);
    return a + (sizeOf(dest) === f.size ? f.size : Math.max(0, Math.min(f.size, sizeOf(`${dest}.part`))));
  }, 0);
  const fsInfo = fs.statfsSync(dir);
  const free = fsInfo.bavail * fsInfo.bsize;
  // The rest of the download, then the installed copy beside it.
  const need = bytes - have + bytes;
  if (free < need) {
    throw new PullError(
      `not enough free space in ${home}: the download and the installed copy need ${formatBytes(need)}, ${formatBytes(free)} free`,
    );
  }
}

function removeEmptyParents(dir: string, stop: string): void {
  for (let d = dir; d.startsWith(stop) && d !== path.dirname(d); d = path.dirname(d)) {
    try {
      fs.rmdirSync(d);
    } catch {
      return;
    }
    if (d === stop) return;
  }
}

/** Removes a download folder and the parents it leaves empty, up to <home>/downloads. */
function removeDownload(home: string, dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  removeEmptyParents(path.dirname(dir), path.join(home, 'downloads'));
}

/** Fetches the files in order; once the root files are there, a config that is not installable stops the pull. */
async function fetchAll(home: string, fetcher: Fetcher, files: readonly RepoFile[], signal?: AbortSignal) {
  let configChecked = false;
  for (const f of files) {
    if (!configChecked && f.path.includes('/')) {
      configChecked = true;
      try {
        readModelConfig(fetcher.dir);
      } catch (err) {
        if (!(err instanceof InstallError)) throw err;
        removeDownload(home, fetcher.dir);
        throw new PullError(`not installable: ${err.template}`, true);
      }
    }
    if (signal?.aborted) throw new PullError('cancelled (run the pull again to resume)');
    await fetcher.get(f);
  }
  fetcher.progress('');
}

async function installPulled(home: string, dir: string, name: string, commit: string, req: PullRequest) {
  try {
    return await installModel(home, dir, {
      name,
      ...(req.dtype ? { dtype: req.dtype } : {}),
      ...(req.profile ? { profile: req.profile } : {}),
      ...(req.device ? { device: req.device } : {}),
      source: `${req.repo}@${commit}`,
      ...(req.signal ? { signal: req.signal } : {}),
      onProgress: (p) =>
        req.onProgress?.({ stage: 'install', doneBytes: p.copiedBytes, totalBytes: p.totalBytes, file: p.file }),
    });
  } catch (err) {
    // The files are all there and checked: what fails now is their content, or the copy.
    if (err instanceof InstallError) throw new PullError(err.message);
    throw err;
  }
}

/**
 * Pulls `req.repo` at `req.revision` and installs it (see the file comment). Throws PullError
 * with one line; nothing appears under <home>/models unless the whole pull succeeded.
 */
export async function pullModel(home: string, req: PullRequest): Promise<Pulled> {
  const { repo } = req;
  const { name, hub } = checkRequest(home, req);
  const commit = await resolveCommit(hub, req.revision);
  const listed = await listRepoFiles(hub, commit);
  const files = filesToFetch(listed, req);
  const bytes = files.reduce((a, f) => a + f.size, 0);
  const dir = downloadDir(home, repo, commit);
  fs.mkdirSync(dir, { recursive: true });
  checkSpace(home, dir, files, bytes);
  const fetcher = new Fetcher(hub, commit, dir, bytes, (p) => req.onProgress?.({ stage: 'download', ...p }));
  await fetchAll(home, fetcher, files, req.signal);
  const installed = await installPulled(home, dir, name, commit, req);
  removeDownload(home, dir);
  const left = listed.length - files.length;
  return {
    ...installed,
    notices: [
      `${repo}@${commit.slice(0, 12)}: fetched ${files.length} of ${listed.length} files (${formatBytes(bytes)})` +
        (fetcher.resumed.length > 0 ? `, resumed ${fetcher.resumed.join(', ')}` : '') +
        (left > 0 ? `; ${left} left on the hub (other dtypes, other runtimes, other weights)` : ''),
      ...installed.notices,
    ],
    repo,
    commit,
    files: files.map((f) => f.path),
    bytes,
  };
}

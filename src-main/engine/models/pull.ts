import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fileDownloadInfo, HubApiError, listFiles, modelInfo } from '@huggingface/hub';
import type { DB } from '../store/db.js';
import type { Device } from './devices.js';
import { installModel, type Installed } from './install.js';
import { ModelManifest, type Dtype, type SessionName } from './manifest.js';
import { PROFILES } from './profiles/index.js';
import {
  chooseDtypes,
  InstallError,
  neededRepoFiles,
  presentDtypes,
  readModelConfig,
  REQUIRED_ROOT_FILES,
} from './published.js';
import { listModels } from './registry.js';

/**
 * `tempo models pull`: a transformers.js ONNX export fetched from a Hugging Face hub (or
 * any server answering its API, HF_ENDPOINT) and installed. Only the files the chosen
 * dtypes need are fetched, each into `<file>.part` beside its final name, resumed with an
 * HTTP Range request after a cut, checked (size, and the LFS sha256 the hub lists) and
 * then renamed. The folder is `<home>/downloads/<org>--<name>/<commit>/`; it is kept when a
 * pull fails (a rerun resumes) and removed once the install succeeded.
 *
 * API calls go through @huggingface/hub (modelInfo for the commit, listFiles for paths,
 * sizes and LFS oids, fileDownloadInfo for each file's URL); the bytes come through Node's
 * fetch on that URL, because the library's download (a WebBlob) cannot tell a 206 answer
 * to a Range request from a 200 that ignored it, and resuming must know.
 */

export const DEFAULT_ENDPOINT = 'https://huggingface.co';

/** Why a pull failed, one line. `usage`: the request was wrong (CLI exit 2); else network, checksum, disk (exit 1). */
export class PullError extends Error {
  override name = 'PullError';
  constructor(
    message: string,
    readonly usage = false,
  ) {
    super(message);
  }
}

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

interface RepoFile {
  path: string;
  size: number;
  /** The LFS sha256 the hub lists; absent for files kept in git. */
  sha256?: string;
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

function causeOf(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  return (e.cause?.message || e.cause?.code || e.message || String(err)).split('\n')[0] as string;
}

/** One line for an error answer of the hub API. */
function hubProblem(err: HubApiError, what: string): string {
  const said = err.message.split('. URL:')[0] ?? '';
  const hint =
    err.statusCode === 401 || err.statusCode === 403
      ? ' (a gated or private repo: accept its terms on the hub and set HF_TOKEN)'
      : err.statusCode === 404
        ? ' (check the repo name and --revision)'
        : '';
  return `${what}: the hub answered ${err.statusCode}${said && !said.startsWith('Api error') ? ` "${said}"` : ''}${hint}`;
}

/** A fetch for the library and the transfers: the token only to the endpoint's origin, Ctrl-C to every request. */
function hubFetch(endpoint: string, token: string | undefined, signal: AbortSignal | undefined): typeof fetch {
  const origin = new URL(endpoint).origin;
  return (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers = new Headers(init.headers);
    if (token && url.origin === origin && !headers.has('authorization'))
      headers.set('authorization', `Bearer ${token}`);
    headers.set('user-agent', 'tempo-review; @huggingface/hub');
    const signals = [init.signal, signal].filter((s): s is AbortSignal => s != null);
    return fetch(url, {
      ...init,
      headers,
      ...(signals.length > 0 ? { signal: signals.length === 1 ? signals[0] : AbortSignal.any(signals) } : {}),
    });
  };
}

/** The path inside `dir`, refusing anything that would leave it (a listing is remote input). */
function inside(dir: string, rel: string): string {
  const segments = rel.split('/');
  if (rel.includes('\\') || rel.includes(':') || segments.some((s) => s === '' || s === '.' || s === '..'))
    throw new PullError(`the hub lists an unusable path '${rel}'`);
  return path.join(dir, ...segments);
}

function sizeOf(file: string): number {
  return fs.statSync(file, { throwIfNoEntry: false })?.size ?? -1;
}

async function hashPrefix(hash: Hash, file: string, bytes: number): Promise<void> {
  if (bytes === 0) return;
  for await (const chunk of fs.createReadStream(file, { start: 0, end: bytes - 1 })) hash.update(chunk as Buffer);
}

interface Hub {
  repo: string;
  endpoint: string;
  fetch: typeof fetch;
  signal?: AbortSignal;
  idleTimeoutMs: number;
}

/** One line for a failed request about `what` (a file, the listing), after `got` of `size` bytes. */
function failure(
  hub: Hub,
  err: unknown,
  what: string,
  transfer?: { got: number; size: number; stalled: boolean },
): PullError {
  if (err instanceof PullError) return err;
  if (hub.signal?.aborted) return new PullError('cancelled (run the pull again to resume)');
  if (err instanceof HubApiError) return new PullError(hubProblem(err, what));
  if (!transfer) return new PullError(`${what}: cannot reach ${hub.endpoint} (${causeOf(err)})`);
  const { got, size, stalled } = transfer;
  const resume = got > 0 ? '; run the pull again to resume' : '';
  if (stalled)
    return new PullError(
      `${what}: nothing received for ${hub.idleTimeoutMs / 1000} s, at ${got} of ${size} bytes${resume}`,
    );
  return new PullError(`${what}: the transfer broke at ${got} of ${size} bytes (${causeOf(err)})${resume}`);
}

interface Got {
  written: number;
  sha256?: string;
}

/** Fetches the files of one commit into a folder, resuming parts, with progress over all of them. */
class Fetcher {
  doneBytes = 0;
  resumed: string[] = [];

  constructor(
    readonly hub: Hub,
    readonly commit: string,
    readonly dir: string,
    readonly totalBytes: number,
    readonly onProgress?: (p: PullProgress) => void,
  ) {}

  progress(file: string): void {
    this.onProgress?.({ stage: 'download', doneBytes: this.doneBytes, totalBytes: this.totalBytes, file });
  }

  /** Fetches one file into place unless it is there already; throws PullError naming the file. */
  async get(file: RepoFile): Promise<void> {
    const dest = inside(this.dir, file.path);
    const part = `${dest}.part`;
    const have = sizeOf(dest);
    if (have === file.size) {
      this.doneBytes += file.size;
      this.progress(file.path);
      return;
    }
    if (have >= 0) fs.rmSync(dest, { force: true });
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    let offset = sizeOf(part);
    if (offset > file.size) fs.rmSync(part, { force: true });
    if (offset > file.size || offset < 0) offset = 0;
    if (offset > 0) this.resumed.push(file.path);
    if (file.size === 0) fs.writeFileSync(part, '');
    this.doneBytes += offset;
    this.progress(file.path);
    let got: Got;
    if (offset < file.size) got = await this.transfer(file, part, offset);
    else {
      // A part completed by a run that stopped before checking it.
      const hash = file.sha256 ? createHash('sha256') : undefined;
      if (hash) await hashPrefix(hash, part, offset);
      got = { written: offset, ...(hash ? { sha256: hash.digest('hex') } : {}) };
    }
    if (got.written !== file.size) {
      if (got.written > file.size) fs.rmSync(part, { force: true });
      const resume = got.written < file.size ? '; run the pull again to resume' : '';
      throw new PullError(`${file.path}: got ${got.written} of ${file.size} bytes${resume}`);
    }
    if (file.sha256 && got.sha256 !== file.sha256) {
      fs.rmSync(part, { force: true });
      throw new PullError(
        `${file.path}: checksum mismatch (sha256 ${got.sha256?.slice(0, 12)}… where the hub lists ` +
          `${file.sha256.slice(0, 12)}…); the download was deleted, run the pull again`,
      );
    }
    fs.renameSync(part, dest);
  }

  /** Streams the file from `offset` (a Range request) into the part file; a server that ignores the Range starts it over. */
  private async transfer(file: RepoFile, part: string, offset: number): Promise<Got> {
    const { hub } = this;
    let info;
    try {
      info = await fileDownloadInfo({
        repo: { type: 'model', name: hub.repo },
        path: file.path,
        revision: this.commit,
        hubUrl: hub.endpoint,
        fetch: hub.fetch,
      });
    } catch (err) {
      throw failure(hub, err, file.path);
    }
    if (!info) throw new PullError(`${file.path}: listed but not found at ${this.commit}`);
    if (info.size !== file.size)
      throw new PullError(`${file.path}: the hub lists ${file.size} bytes but serves ${info.size}`);
    const idle = new AbortController();
    let stalled = false;
    let timer: NodeJS.Timeout | undefined;
    const touch = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        stalled = true;
        idle.abort();
      }, hub.idleTimeoutMs);
    };
    let written = offset;
    let responded = false;
    let fh: fsp.FileHandle | undefined;
    const hash = file.sha256 ? createHash('sha256') : undefined;
    try {
      touch();
      const res = await hub.fetch(info.url, {
        headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
        signal: idle.signal,
      });
      responded = true;
      const from = /^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '')?.[1];
      if (offset > 0 && res.status === 206 && Number(from) === offset) {
        clearTimeout(timer);
        if (hash) await hashPrefix(hash, part, offset);
        touch();
        fh = await fsp.open(part, 'a');
      } else if (res.status === 200) {
        // The server ignored the Range: the body is the whole file, so the part starts over.
        this.doneBytes -= offset;
        written = 0;
        fh = await fsp.open(part, 'w');
      } else if (res.status === 416 && offset > 0) {
        await res.body?.cancel();
        fs.rmSync(part, { force: true });
        this.doneBytes -= offset;
        return await this.transfer(file, part, 0);
      } else {
        await res.body?.cancel();
        const hint = res.status === 401 || res.status === 403 ? ' (set HF_TOKEN for a gated or private repo)' : '';
        throw new PullError(
          `${file.path}: the server answered ${res.status}${offset > 0 ? ` to a request from byte ${offset}` : ''}${hint}`,
        );
      }
      if (!res.body) throw new PullError(`${file.path}: the server sent no body`);
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        touch();
        await fh.write(chunk);
        hash?.update(chunk);
        written += chunk.length;
        this.doneBytes += chunk.length;
        this.progress(file.path);
      }
      return { written, ...(hash ? { sha256: hash.digest('hex') } : {}) };
    } catch (err) {
      throw failure(hub, err, file.path, responded || stalled ? { got: written, size: file.size, stalled } : undefined);
    } finally {
      clearTimeout(timer);
      await fh?.close();
    }
  }
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

/**
 * Pulls `req.repo` at `req.revision` and installs it (see the file comment). Throws PullError
 * with one line; nothing appears under <home>/models unless the whole pull succeeded.
 */
export async function pullModel(home: string, db: DB, req: PullRequest): Promise<Pulled> {
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

  let commit: string;
  try {
    const info = await modelInfo({
      name: repo,
      ...(req.revision ? { revision: req.revision } : {}),
      additionalFields: ['sha'],
      hubUrl: endpoint,
      fetch: hub.fetch,
    });
    commit = String(info.sha ?? '');
  } catch (err) {
    throw failure(hub, err, req.revision ? `revision ${req.revision}` : 'the repo');
  }
  if (!/^[0-9a-f]{40}$/.test(commit))
    throw new PullError(`the hub gave no commit for ${req.revision ?? 'the default branch'} (got '${commit}')`);

  const listed: RepoFile[] = [];
  try {
    for await (const e of listFiles({
      repo: { type: 'model', name: repo },
      revision: commit,
      recursive: true,
      hubUrl: endpoint,
      fetch: hub.fetch,
    })) {
      if (e.type !== 'file') continue;
      const oid = e.lfs?.oid;
      listed.push({
        path: e.path,
        size: e.lfs?.size ?? e.size,
        ...(oid && /^[0-9a-f]{64}$/.test(oid) ? { sha256: oid } : {}),
      });
    }
  } catch (err) {
    throw failure(hub, err, 'the file listing');
  }

  let dtypes: Record<SessionName, Dtype>;
  const paths = listed.map((f) => f.path);
  try {
    dtypes = chooseDtypes(presentDtypes(paths), req.device ?? 'cpu', req.dtype);
  } catch (err) {
    if (err instanceof InstallError) throw new PullError(`not installable: ${err.message}`, true);
    throw err;
  }
  const needed = new Set(neededRepoFiles(paths, dtypes));
  for (const f of REQUIRED_ROOT_FILES) {
    if (!needed.has(f)) throw new PullError(`not a transformers.js export: the repo has no ${f}`, true);
  }
  // Root files first: config.json is checked before the weights are fetched.
  const files = listed
    .filter((f) => needed.has(f.path))
    .sort((a, b) => Number(a.path.includes('/')) - Number(b.path.includes('/')));
  const bytes = files.reduce((a, f) => a + f.size, 0);

  const downloads = path.join(home, 'downloads');
  const dir = downloadDir(home, repo, commit);
  fs.mkdirSync(dir, { recursive: true });
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

  const fetcher = new Fetcher(hub, commit, dir, bytes, req.onProgress);
  let configChecked = false;
  for (const f of files) {
    if (!configChecked && f.path.includes('/')) {
      configChecked = true;
      try {
        readModelConfig(dir);
      } catch (err) {
        if (!(err instanceof InstallError)) throw err;
        fs.rmSync(dir, { recursive: true, force: true });
        removeEmptyParents(path.dirname(dir), downloads);
        throw new PullError(`not installable: ${err.message}`, true);
      }
    }
    if (req.signal?.aborted) throw new PullError('cancelled (run the pull again to resume)');
    await fetcher.get(f);
  }
  fetcher.progress('');

  let installed: Installed;
  try {
    installed = await installModel(home, db, dir, {
      name,
      ...(req.dtype ? { dtype: req.dtype } : {}),
      ...(req.profile ? { profile: req.profile } : {}),
      ...(req.device ? { device: req.device } : {}),
      source: `${repo}@${commit}`,
      ...(req.signal ? { signal: req.signal } : {}),
      onProgress: (p) =>
        req.onProgress?.({ stage: 'install', doneBytes: p.copiedBytes, totalBytes: p.totalBytes, file: p.file }),
    });
  } catch (err) {
    // The files are all there and checked: what fails now is their content, or the copy.
    if (err instanceof InstallError) throw new PullError(err.message);
    throw err;
  }
  fs.rmSync(dir, { recursive: true, force: true });
  removeEmptyParents(path.dirname(dir), downloads);
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

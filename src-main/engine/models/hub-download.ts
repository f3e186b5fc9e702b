import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fileDownloadInfo } from '@huggingface/hub';
import { PullError } from './errors.js';
import { failure, type Hub, type RepoFile } from './hub.js';

/**
 * The bytes of a pull: each file into `<file>.part` beside its final name, resumed with an
 * HTTP Range request after a cut, checked (size, and the LFS sha256 the hub lists) and then
 * renamed. They come through Node's fetch on the URL fileDownloadInfo gives, because the
 * library's download (a WebBlob) cannot tell a 206 answer to a Range request from a 200 that
 * ignored it, and resuming must know.
 */

export interface DownloadProgress {
  doneBytes: number;
  totalBytes: number;
  file: string;
}

/** The path inside `dir`, refusing anything that would leave it (a listing is remote input). */
export function inside(dir: string, rel: string): string {
  const segments = rel.split('/');
  if (rel.includes('\\') || rel.includes(':') || segments.some((s) => s === '' || s === '.' || s === '..'))
    throw new PullError(`the hub lists an unusable path '${rel}'`);
  return path.join(dir, ...segments);
}

export function sizeOf(file: string): number {
  return fs.statSync(file, { throwIfNoEntry: false })?.size ?? -1;
}

async function hashPrefix(hash: Hash, file: string, bytes: number): Promise<void> {
  if (bytes === 0) return;
  for await (const chunk of fs.createReadStream(file, { start: 0, end: bytes - 1 })) hash.update(chunk as Buffer);
}

interface Got {
  written: number;
  sha256?: string;
}

/** An abort signal that fires when `touch` has not been called for `ms`, marking the transfer stalled. */
class IdleTimer {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  stalled = false;

  constructor(private readonly ms: number) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  touch(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.stalled = true;
      this.controller.abort();
    }, this.ms);
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}

/** Fetches the files of one commit into a folder, resuming parts, with progress over all of them. */
export class Fetcher {
  doneBytes = 0;
  resumed: string[] = [];

  constructor(
    readonly hub: Hub,
    readonly commit: string,
    readonly dir: string,
    readonly totalBytes: number,
    readonly onProgress?: (p: DownloadProgress) => void,
  ) {}

  progress(file: string): void {
    this.onProgress?.({ doneBytes: this.doneBytes, totalBytes: this.totalBytes, file });
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
    checkGot(file, part, got);
    fs.renameSync(part, dest);
  }

  /** The URL of a file's bytes at the commit, checked against the size the listing gave. */
  private async urlOf(file: RepoFile): Promise<string> {
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
    return info.url;
  }

  /** Streams the file from `offset` (a Range request) into the part file; a server that ignores the Range starts it over. */
  private async transfer(file: RepoFile, part: string, offset: number): Promise<Got> {
    const url = await this.urlOf(file);
    const idle = new IdleTimer(this.hub.idleTimeoutMs);
    const hash = file.sha256 ? createHash('sha256') : undefined;
    let written = offset;
    let responded = false;
    let fh: fsp.FileHandle | undefined;
    try {
      idle.touch();
      const res = await this.hub.fetch(url, {
        headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
        signal: idle.signal,
      });
      responded = true;
      const start = await this.startOf(res, file.path, part, offset);
      if (start === null) return await this.transfer(file, part, 0);
      written = start;
      if (start > 0) {
        idle.stop();
        if (hash) await hashPrefix(hash, part, start);
        idle.touch();
      }
      fh = await fsp.open(part, start > 0 ? 'a' : 'w');
      if (!res.body) throw new PullError(`${file.path}: the server sent no body`);
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        idle.touch();
        await fh.write(chunk);
        hash?.update(chunk);
        written += chunk.length;
        this.doneBytes += chunk.length;
        this.progress(file.path);
      }
      return { written, ...(hash ? { sha256: hash.digest('hex') } : {}) };
    } catch (err) {
      const { stalled } = idle;
      throw failure(
        this.hub,
        err,
        file.path,
        responded || stalled ? { got: written, size: file.size, stalled } : undefined,
      );
    } finally {
      idle.stop();
      await fh?.close();
    }
  }

  /**
   * Where the answer's body starts in the file: `offset` for a 206 to the Range asked, 0 for a
   * 200 (the server ignored the Range: the part starts over); null for a 416 (the part is
   * removed, to be asked again from 0). Any other answer throws PullError.
   */
  private async startOf(res: Response, rel: string, part: string, offset: number): Promise<number | null> {
    const from = /^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '')?.[1];
    if (offset > 0 && res.status === 206 && Number(from) === offset) return offset;
    if (res.status === 200) {
      this.doneBytes -= offset;
      return 0;
    }
    await res.body?.cancel();
    if (res.status === 416 && offset > 0) {
      fs.rmSync(part, { force: true });
      this.doneBytes -= offset;
      return null;
    }
    const hint = res.status === 401 || res.status === 403 ? ' (set HF_TOKEN for a gated or private repo)' : '';
    throw new PullError(
      `${rel}: the server answered ${res.status}${offset > 0 ? ` to a request from byte ${offset}` : ''}${hint}`,
    );
  }
}

/** Checks a fetched part's size and checksum; a part that can never be right is removed. */
function checkGot(file: RepoFile, part: string, got: Got): void {
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
}

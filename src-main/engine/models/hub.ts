import { HubApiError, listFiles, modelInfo } from '@huggingface/hub';
import { PullError } from './errors.js';

/**
 * The API calls of a pull, through @huggingface/hub: modelInfo for the commit, listFiles for
 * paths, sizes and LFS oids; and the one-line PullError each failure becomes.
 */

/** A hub to pull from: one repo there, the fetch to use, and how long a transfer may stall. */
export interface Hub {
  repo: string;
  endpoint: string;
  fetch: typeof fetch;
  signal?: AbortSignal;
  idleTimeoutMs: number;
}

export interface RepoFile {
  path: string;
  size: number;
  /** The LFS sha256 the hub lists; absent for files kept in git. */
  sha256?: string;
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
        ? ' (check the repo name and {revision})'
        : '';
  return `${what}: the hub answered ${err.statusCode}${said && !said.startsWith('Api error') ? ` "${said}"` : ''}${hint}`;
}

/** A fetch for the library and the transfers: the token only to the endpoint's origin, Ctrl-C to every request. */
export function hubFetch(endpoint: string, token: string | undefined, signal: AbortSignal | undefined): typeof fetch {
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

/** One line for a failed request about `what` (a file, the listing), after `got` of `size` bytes. */
export function failure(
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

/** The commit a revision (branch, tag, commit; none: the default branch) names on the hub. */
export async function resolveCommit(hub: Hub, revision: string | undefined): Promise<string> {
  let commit: string;
  try {
    const info = await modelInfo({
      name: hub.repo,
      ...(revision ? { revision } : {}),
      additionalFields: ['sha'],
      hubUrl: hub.endpoint,
      fetch: hub.fetch,
    });
    commit = String(info.sha ?? '');
  } catch (err) {
    throw failure(hub, err, revision ? `revision ${revision}` : 'the repo');
  }
  if (!/^[0-9a-f]{40}$/.test(commit))
    throw new PullError(`the hub gave no commit for ${revision ?? 'the default branch'} (got '${commit}')`);
  return commit;
}

/** Every file of the repo at `commit`, with its size and LFS sha256. */
export async function listRepoFiles(hub: Hub, commit: string): Promise<RepoFile[]> {
  const listed: RepoFile[] = [];
  try {
    for await (const e of listFiles({
      repo: { type: 'model', name: hub.repo },
      revision: commit,
      recursive: true,
      hubUrl: hub.endpoint,
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
  return listed;
}

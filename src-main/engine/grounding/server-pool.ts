import { UsageError } from '../errors.js';
import type { PromptFrame } from '../models/local/prompt.js';
import type { Asked, AskOptions, GroundingBackend } from './backend.js';
import { RemoteBackend, RemoteError, type RemoteOptions } from './remote-backend.js';

/** The most requests a pool sends to one server at once. */
export const MAX_PER_SERVER = 64;

/** What a pool tells as it works: where each question goes, and which server left the pool and why. */
export interface PoolEvents {
  /** A question is being sent to `url` (a failed-over question again, to its next server). */
  dispatched?(url: string): void;
  /**
   * `url` failed a request and left the pool, `live` servers still in it; `why` is one line,
   * e.g. "is not reachable (ECONNREFUSED)". Said the moment it leaves, before its question moves on.
   */
  failed?(url: string, why: string, live: number): void;
}

export interface PoolOptions extends Pick<RemoteOptions, 'model' | 'timeoutMs' | 'imageFormat' | 'temperature'> {
  /** Base URLs of the servers, all serving the same model; a URL given twice counts once. */
  urls: readonly string[];
  /** The token of one URL: a token is only ever sent to the URL it is for. */
  tokenFor(url: string): string | undefined;
  /** Requests outstanding at once on one server, 1 to 64 (default 2). */
  perServer?: number;
  /**
   * The client's retries per request before a server counts as failed (default 1 in a pool of
   * several, where sending the question to another server beats waiting on a dead one; 3 alone).
   * A timeout is never retried in a pool of several: a server that hangs leaves at its first.
   */
  maxRetries?: number;
  events?: PoolEvents;
}

/** One server of a pool: where it is and the backend that asks it. */
export interface PoolMember {
  url: string;
  backend: GroundingBackend;
}

interface Seat extends PoolMember {
  outstanding: number;
  /** Why it left the pool; null while it is in. */
  failed: string | null;
}

interface Waiter {
  resolve(seat: Seat): void;
  reject(err: unknown): void;
  detach(): void;
}

/** Whether a failed question says the server is at fault (down, hung, broken), not the question (a 4xx about it). */
function serverFault(err: unknown): boolean {
  if (!(err instanceof RemoteError)) return false;
  // A 400/413/422 would be refused by every server alike.
  return !(err.status === 400 || err.status === 413 || err.status === 422);
}

/** A RemoteError's message without the "model server URL " it starts with, nor a hint about the token option. */
function whyOf(url: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const prefix = `model server ${url} `;
  const short = message.startsWith(prefix) ? message.slice(prefix.length) : message;
  return short.split(': pass ')[0] ?? short;
}

const cancelled = (): Error => new Error('cancelled');

/** `p`, or a rejection as soon as the signal aborts (RemoteBackend's 'cancelled'), whichever comes first. */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(cancelled());
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/** Checks a per-server request count: a whole number from 1 to 64. */
export function checkPerServer(n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > MAX_PER_SERVER)
    throw new UsageError(`the requests per server must be a whole number from 1 to ${MAX_PER_SERVER}`);
  return n;
}

/**
 * Several model servers serving the same model as one grounding backend: each question goes
 * to the live server with the fewest requests outstanding, never more than `perServer` on one
 * (the others wait their turn, first come first served). A server whose request fails
 * (refused or dropped connection, a 5xx after the client's retries, or its first timeout: a
 * hung server costs one) leaves the pool and the question goes to another live server at once,
 * so no question is lost and each is answered once. When none is left, every question fails
 * with one line naming each server and why it left.
 */
export class ServerPool implements GroundingBackend {
  readonly pairsFrames = false;
  readonly modelName: string;
  readonly device: string;
  readonly perServer: number;
  private readonly seats: Seat[];
  private readonly waiting: Waiter[] = [];
  private readonly events: PoolEvents;

  private constructor(members: readonly PoolMember[], modelName: string, perServer: number, events: PoolEvents) {
    this.seats = members.map((m) => ({ ...m, outstanding: 0, failed: null }));
    this.modelName = modelName;
    this.device = poolDevice(members.length);
    this.perServer = perServer;
    this.events = events;
  }

  /**
   * Checks every server at once before any work (each lists its models: RemoteBackend.connect)
   * and makes the pool. Throws the first server's error in URL order (one line naming it), or
   * one naming two servers that serve different models when no model is named.
   */
  static async connect(opts: PoolOptions): Promise<ServerPool> {
    const urls = [...new Set(opts.urls)];
    if (urls.length === 0) throw new UsageError('a pool of model servers needs at least one URL');
    const perServer = checkPerServer(opts.perServer ?? 2);
    const checked = await Promise.allSettled(
      urls.map((url) =>
        RemoteBackend.connect({
          url,
          token: opts.tokenFor(url),
          model: opts.model,
          timeoutMs: opts.timeoutMs,
          maxRetries: opts.maxRetries ?? (urls.length > 1 ? 1 : 3),
          retryTimeouts: urls.length === 1,
          imageFormat: opts.imageFormat,
          temperature: opts.temperature,
        }),
      ),
    );
    const backends: RemoteBackend[] = [];
    for (const c of checked) {
      if (c.status === 'rejected') throw c.reason;
      backends.push(c.value);
    }
    const members = urls.map((url, i) => ({ url, backend: backends[i] as RemoteBackend }));
    return ServerPool.of(members, { perServer, events: opts.events });
  }

  /** A pool over backends already connected (a test's fakes, or servers checked elsewhere); all must serve one model. */
  static of(members: readonly PoolMember[], opts: { perServer?: number; events?: PoolEvents } = {}): ServerPool {
    const first = members[0];
    if (!first) throw new UsageError('a pool of model servers needs at least one URL');
    const other = members.find((m) => m.backend.modelName !== first.backend.modelName);
    if (other)
      throw new RemoteError(
        `model servers ${first.url} and ${other.url} serve different models ('${first.backend.modelName}', '${other.backend.modelName}'): name one with {model}`,
      );
    return new ServerPool(members, first.backend.modelName, checkPerServer(opts.perServer ?? 2), opts.events ?? {});
  }

  /** Questions the pool takes at once usefully: requests per server times the servers still in it (at least 1). */
  get concurrency(): number {
    return Math.max(1, this.perServer * this.seats.filter((s) => !s.failed).length);
  }

  /** The servers still in the pool, in the order given. */
  get live(): string[] {
    return this.seats.filter((s) => !s.failed).map((s) => s.url);
  }

  async ask(groups: readonly (readonly PromptFrame[])[], instruction: string, opts: AskOptions): Promise<Asked> {
    for (;;) {
      const seat = await this.acquire(opts.signal);
      const asking = this.dispatch(seat, groups, instruction, opts);
      try {
        const asked = await untilAborted(asking, opts.signal);
        this.release(seat);
        return { ...asked, server: seat.url };
      } catch (err) {
        if (opts.signal?.aborted) {
          // Rejected at once; the server may still hold the request, whose place frees when it lets go.
          asking.then(
            () => this.release(seat),
            () => this.release(seat),
          );
          throw err;
        }
        // The question itself is wrong (a 4xx about it): every server would say so, and this one stays.
        const moveOn = serverFault(err);
        if (moveOn) this.retire(seat, whyOf(seat.url, err));
        this.release(seat);
        if (!moveOn) throw err;
      }
    }
  }

  private async dispatch(
    seat: Seat,
    groups: readonly (readonly PromptFrame[])[],
    instruction: string,
    opts: AskOptions,
  ): Promise<Asked> {
    this.events.dispatched?.(seat.url);
    return seat.backend.ask(groups, instruction, opts);
  }

  /** A request is done with (after its server left the pool, if it failed): the next waiting question may have it. */
  private release(seat: Seat): void {
    seat.outstanding--;
    this.pump();
  }

  /** A live server with a free request for the caller: at once when none waits before it, else in turn. */
  private acquire(signal: AbortSignal | undefined): Promise<Seat> {
    if (signal?.aborted) return Promise.reject(cancelled());
    const down = this.allDown();
    if (down) return Promise.reject(down);
    const free = this.waiting.length === 0 ? this.freest() : null;
    if (free) {
      free.outstanding++;
      return Promise.resolve(free);
    }
    return new Promise<Seat>((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(cancelled());
      };
      const waiter: Waiter = { resolve, reject, detach: () => signal?.removeEventListener('abort', onAbort) };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
      this.pump();
    });
  }

  /** Hands free requests to the waiting questions in the order they came; rejects them all once no server is left. */
  private pump(): void {
    for (;;) {
      const next = this.waiting[0];
      if (!next) return;
      const down = this.allDown();
      if (down) {
        for (const w of this.waiting.splice(0)) {
          w.detach();
          w.reject(down);
        }
        return;
      }
      const seat = this.freest();
      if (!seat) return;
      this.waiting.shift();
      next.detach();
      seat.outstanding++;
      next.resolve(seat);
    }
  }

  /** The live server with the fewest requests outstanding and one to spare; the first given on a tie. */
  private freest(): Seat | null {
    let best: Seat | null = null;
    for (const s of this.seats)
      if (!s.failed && s.outstanding < this.perServer && (!best || s.outstanding < best.outstanding)) best = s;
    return best;
  }

  private retire(seat: Seat, why: string): void {
    if (seat.failed) return;
    seat.failed = why;
    this.events.failed?.(seat.url, why, this.live.length);
  }

  /** The pool's one-line error once every server has left it; null while one is in. */
  private allDown(): RemoteError | null {
    if (this.seats.some((s) => !s.failed)) return null;
    const each = this.seats.map((s) => `${s.url} (${s.failed})`);
    return new RemoteError(`every model server of the pool failed: ${each.join(', ')}`);
  }
}

/** How runs and costs name a pool's device: "pool of 3 servers". */
export function poolDevice(servers: number): string {
  return `pool of ${servers} server${servers === 1 ? '' : 's'}`;
}

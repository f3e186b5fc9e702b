/** Server-sent events: one stream of values, written to every client that listens. */
import type http from 'node:http';

/** How often a comment line keeps idle connections (and proxies) from timing out. */
const HEARTBEAT_MS = 15_000;

/** The clients of one `text/event-stream`, each value sent as one `data:` frame of JSON. */
export class EventStream<T> {
  private readonly clients = new Set<http.ServerResponse>();
  private readonly heartbeat = setInterval(() => {
    for (const c of this.clients) c.write(': keep-alive\n\n');
  }, HEARTBEAT_MS);

  /** Answers `req` with the stream and keeps it open until the client leaves or close() is called. */
  add(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.write('retry: 2000\n\n');
    this.clients.add(res);
    req.on('close', () => this.clients.delete(res));
  }

  /** Sends `value` to every client. */
  readonly send = (value: T): void => {
    const frame = `data: ${JSON.stringify(value)}\n\n`;
    for (const c of this.clients) c.write(frame);
  };

  /** Ends every stream and stops the heartbeat. */
  close(): void {
    clearInterval(this.heartbeat);
    for (const c of this.clients) c.end();
  }
}

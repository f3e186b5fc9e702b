import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const TEMPO = path.resolve('bin/tempo.js');

export interface TempoRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A fresh data directory for one test. */
export function tempHome(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tempo-home-'));
}

/** Starts the real `tempo` command; the child is returned so a test can kill it. */
export function startTempo(
  home: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { child: ChildProcess; done: Promise<TempoRun> } {
  const child = spawn(process.execPath, [TEMPO, '--home', home, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<TempoRun>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

export function tempo(home: string, args: string[]): Promise<TempoRun> {
  return startTempo(home, args).done;
}

/** Runs `tempo --json ...` and parses its one JSON document. */
export async function tempoJson<T = Record<string, unknown>>(
  home: string,
  args: string[],
): Promise<{ run: TempoRun; doc: T }> {
  const run = await tempo(home, ['--json', ...args]);
  if (run.code !== 0) throw new Error(`tempo ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
  return { run, doc: JSON.parse(run.stdout) as T };
}

/** Starts a long-running `tempo --json ...` (serve, serve-model) and waits for its first JSON line. */
export async function startServer<T>(
  home: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ child: ChildProcess; done: Promise<TempoRun>; info: T }> {
  const started = startTempo(home, ['--json', ...args], env);
  const info = await new Promise<T>((resolve, reject) => {
    let out = '';
    started.child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(JSON.parse(out) as T);
    });
    void started.done.then((r) => reject(new Error(`tempo ${args.join(' ')} exited ${r.code}: ${r.stderr}`)));
  });
  return { ...started, info };
}

/** A port nothing listens on: bound, read, released (for "the server is down" cases). */
export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

/**
 * Running the real `tempo` command (bin/tempo.js, from the TypeScript compiled into build/)
 * as an operator or a script would: exit code, signal, stdout and stderr. Tests that use it
 * need `npx tsc -p tsconfig.node.json` first (the integration and hardening projects' global
 * setup does it). Free of vitest, so benches can use it too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

export { tempHome } from './temp.js';

export const TEMPO = path.resolve('bin/tempo.js');

export interface TempoRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
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

/** Runs `tempo ...` to its end. */
export function tempo(home: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<TempoRun> {
  return startTempo(home, args, env).done;
}

/** Runs `tempo --json ...` and parses its one JSON document; a non-zero exit throws with its stderr. */
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

/** The lines of a run's stderr, without the trailing newline: a one-line error is one item. */
export function stderrLines(run: TempoRun): string[] {
  return run.stderr.trimEnd().split('\n');
}

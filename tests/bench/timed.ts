import { spawn } from 'node:child_process';
import path from 'node:path';
import { treeRss } from './proc-tree.js';

export interface Timed {
  seconds: number;
  peakRss: number;
  stdout: string;
}

/** One bench figure, printed as a PASS/FAIL line against its target. */
export type Report = (name: string, value: string, target: string, ok: boolean) => void;

/**
 * Runs a command, timing it and sampling the resident memory of its whole process tree;
 * with `timeoutS`, kills it past that many seconds (the promise then rejects).
 */
export function timed(cmd: string, args: string[], opts: { timeoutS?: number } = {}): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peakRss = 0;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const sampler = setInterval(() => {
      if (child.pid) peakRss = Math.max(peakRss, treeRss(child.pid));
    }, 50);
    const limit = opts.timeoutS
      ? setTimeout(() => {
          stderr += `\nkilled after ${opts.timeoutS} s`;
          child.kill('SIGKILL');
        }, opts.timeoutS * 1000)
      : undefined;
    child.on('close', (code) => {
      clearInterval(sampler);
      clearTimeout(limit);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr.slice(-500)}`));
      else resolve({ seconds, peakRss, stdout });
    });
  });
}

const TEMPO = path.join(process.cwd(), 'bin', 'tempo.js');

/** `tempo --home HOME --json ARGS...` as an operator runs it, timed with its memory. */
export function tempo(home: string, ...args: string[]): Promise<Timed> {
  return timed(process.execPath, [TEMPO, '--home', home, '--json', ...args]);
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

import type { Engine } from '../engine/engine.js';
import type { Output } from './output.js';

/** What every command runs with: the open engine, the output, its arguments and options. */
export interface CommandContext {
  engine: Engine;
  out: Output;
  args: string[];
  /** Parsed options; `models` lists every --model given (repeatable), `model` is the last one. */
  options: Record<string, string | string[] | boolean | undefined>;
  /** Aborted on Ctrl-C: a running job is cancelled and the command ends. */
  signal: AbortSignal;
}

/** A command of the table in main.ts: runs with its context, returns the exit status. */
export type Runner = (ctx: CommandContext) => Promise<number> | number;

import { parseArgs } from 'node:util';
import { UsageError } from '../engine/errors.js';
import { Engine } from '../engine/engine.js';
import { defaultHome } from '../engine/home.js';
import { cmdCalibrate } from './commands/calibrate.js';
import { cmdEval } from './commands/eval.js';
import { cmdExportTraining } from './commands/export-training.js';
import { cmdGround } from './commands/ground.js';
import { cmdImport } from './commands/import.js';
import { cmdJobs } from './commands/jobs.js';
import { cmdList } from './commands/list.js';
import { cmdModels } from './commands/models.js';
import { cmdRefresh } from './commands/refresh.js';
import { cmdScan } from './commands/scan.js';
import { cmdServeModel } from './commands/serve-model.js';
import { cmdServe } from './commands/serve.js';
import { cmdVerdictEval } from './commands/verdict-eval.js';
import type { CommandContext, Runner } from './context.js';
import { cliError } from './errors.js';
import { makeOutput } from './output.js';

export const HELP = `tempo — find moments in recorded video from a sentence

Usage: tempo [--home DIR] [--json] COMMAND [ARGS]

Commands:
  import PATH...             add video files or folders (recursive) to the library
  list                       list the recordings in the library with their scan state
  scan ID|PATH [--budget TOKENS] [--force]
                             SAA analysis: change points and a frame plan under a token budget
  refresh [ID|PATH...]       read again files changed since import (replaced, or still being
                             written then): new duration, size and poster, old scans dropped;
                             prints what changed (none named: the whole library)
  jobs [list|run|cancel ID]  show jobs, run queued (and crash-interrupted) jobs, cancel one
  models                     installed models (complete or what is wrong) and the devices here
  models install DIR [--name N] [--dtype D] [--profile P] [--device D]
                             install a transformers.js ONNX export as published (or a folder
                             with tempo-model.json): family from config.json, dtype per session
                             by the device's rule, only the files it needs copied; listed and
                             usable at once
  models pull REPO [--revision R] [--dtype D] [--device D] [--name N] [--profile P]
                             download a transformers.js ONNX export from the Hugging Face hub
                             (HF_ENDPOINT, HF_TOKEN): only the chosen dtype's files, checked
                             against the hub's checksums, resumed when run again, then installed
  models export NAME --out DIR
                             copy an installed model to DIR/NAME (a USB stick) for
                             tempo models install DIR/NAME on a PC with no network
  ground ID|PATH "QUERY" [--model NAME|DIR] [--device cpu|webgpu|cuda|dml] [--samples K]
                             find where the query happens: ranked segments with a confidence
         [--server URL [--token T] [--model ID] [--profile qwen2-vl|time-r1|timelens|qwen3-vl] [--context TOKENS]]
                             ask an OpenAI-compatible model server instead (token also from
                             TEMPO_SERVER_TOKEN, sent only to this command's --server URLs)
         [--server URL,URL... | --server URL --server URL ...] [--per-server N]
                             a pool of servers serving the same model shares the windows, each
                             taking N requests at a time (1-64, default 2); every server is
                             checked first; one that fails leaves the pool and its windows go to
                             the others (said on stderr); --token is for all of them
         [--candidates MODEL --refine URL[,URL...]|MODEL [--refine-below P] [--audit-share S]]
                             two stages: the local MODEL reads every window first (2 samples,
                             small frames); the refining backend (model servers, or another
                             local model) is sent only the windows around candidates under
                             confidence P (default 0.6) and a random share S (default 0.05) of
                             the windows the candidate refused (an audit of what it misses);
                             confident candidates are kept as they are; each stage's windows,
                             visual tokens and time are kept with the run (--json: stages)
  ground ID|PATH ID|PATH... "QUERY", ground all "QUERY"  [the options above]
                             one query over several recordings (all: the whole library) as one
                             job: one progress line with the time left for them all, each
                             recording's run stored as it ends, then the segments ranked across
                             recordings; after a kill, the same command goes on where it
                             stopped (no window asked twice); a recording that fails is said on
                             stderr and the others go on
  ground ID|PATH...|all "QUERY" --estimate [--model M] [--device D] [--server URL ...]
                             how long the query would take on this machine with that model and
                             device, from the costs measured by earlier runs here (refined by
                             each run); says so when none is measured yet; runs nothing
  serve [--port N] [--token T]
                             web mode: the workstation in a browser, on 127.0.0.1 behind a
                             random token (the printed URL carries it; --token: 32+ characters)
  serve-model [--port N] [--model NAME|DIR] [--device D] [--token T]
                             serve a local model as an OpenAI-compatible endpoint on 127.0.0.1
                             (bearer token required; a random one is printed when not given)
  eval --format charades|activitynet|qvhighlights --annotations FILE --predictions FILE
       [--durations CSV] [--limit N]
                             score predictions on a grounding benchmark: R1@0.3/0.5/0.7, mIoU,
                             QVHighlights mAP, refusal precision/recall, ECE (percent)
  eval --format F --annotations FILE --videos DIR [--model NAME|DIR] [--limit N] [--out FILE]
                             run the model over the set's videos first (a resumable job: running
                             it again continues the --out predictions JSONL), then score it
       [--server URL,URL... [--per-server N]]
                             ask a model server, or a pool of them, instead (as ground does)
  export-training --out FILE --format grpo|charades|qvhighlights [--since DATE] [--model M] [--id NAME]
                             the review verdicts as training data; an export id (default: from
                             the options) always gives the same file, a new id takes only verdicts
                             no export of that format took (docs/training-data.md)
  calibrate [--model M]...   fit each model's confidence calibrator on its reviewed segments and
                             show the reliability before/after; new runs then use it
  eval --verdicts [--model M]... [--run]
                             score models on the library's reviewed queries: R1@0.5, mIoU, refusal
                             precision/recall, ECE and the review load (also: verdict-eval);
                             --run first runs the named models on reviewed queries they lack
  help                       this text

Global options:
  --home DIR   data directory (default: the OS app-data folder of "Tempo Review", or TEMPO_HOME)
  --json       print one JSON document on stdout
  --version    print the version

Exit status: 0 success, 1 failure, 2 usage error (a bad argument or option, an unknown
recording, job or model); every error is one line on stderr.
  import      0 when every file given is imported or already in the library, or some are and
              the rest skipped; 1 when none is, or on a database error (locked, read-only,
              full: the files imported before it stay)
  jobs run    1 only when a job it ran now failed (not for old failed jobs)
  scan, ground, eval
              1 when the job fails or is cancelled (Ctrl-C, tempo jobs cancel); a query over
              several recordings fails only when every recording failed
  serve, serve-model
              0 when stopped with Ctrl-C`;

const COMMANDS: Record<string, Runner> = {
  import: cmdImport,
  list: cmdList,
  scan: cmdScan,
  jobs: cmdJobs,
  models: cmdModels,
  ground: cmdGround,
  'serve-model': cmdServeModel,
  serve: cmdServe,
  eval: cmdEval,
  'export-training': cmdExportTraining,
  calibrate: cmdCalibrate,
  'verdict-eval': cmdVerdictEval,
  refresh: cmdRefresh,
};

const OPTIONS = {
  home: { type: 'string' },
  json: { type: 'boolean', default: false },
  budget: { type: 'string' },
  model: { type: 'string', multiple: true },
  device: { type: 'string' },
  samples: { type: 'string' },
  server: { type: 'string', multiple: true },
  'per-server': { type: 'string' },
  candidates: { type: 'string' },
  refine: { type: 'string', multiple: true },
  'refine-below': { type: 'string' },
  'audit-share': { type: 'string' },
  token: { type: 'string' },
  profile: { type: 'string' },
  context: { type: 'string' },
  port: { type: 'string' },
  force: { type: 'boolean', default: false },
  format: { type: 'string' },
  annotations: { type: 'string' },
  predictions: { type: 'string' },
  durations: { type: 'string' },
  videos: { type: 'string' },
  limit: { type: 'string' },
  out: { type: 'string' },
  since: { type: 'string' },
  id: { type: 'string' },
  name: { type: 'string' },
  dtype: { type: 'string' },
  revision: { type: 'string' },
  verdicts: { type: 'boolean', default: false },
  run: { type: 'boolean', default: false },
  estimate: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', default: false },
} as const;

function parse(argv: string[]): { values: CommandContext['options']; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: OPTIONS });
    // --model may be repeated (verdict-eval, calibrate): `models` has them all, `model` the last.
    // --server may be repeated for a pool: `server` is all of them, comma-separated (as one may give them).
    const server = values.server?.join(',');
    // --refine may be repeated too (a pool refining two-stage grounding): all of them, comma-separated.
    const refine = values.refine?.join(',');
    return { values: { ...values, model: values.model?.at(-1), models: values.model, server, refine }, positionals };
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0] ?? 'bad arguments');
  }
}

/** Runs the CLI; returns the exit status. Never throws. */
export async function main(argv: string[], version: string): Promise<number> {
  let engine: Engine | undefined;
  const ctl = new AbortController();
  const onSigint = (): void => ctl.abort();
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    const { values, positionals } = parse(argv);
    const [command, ...args] = positionals;
    if (values.version) {
      process.stdout.write(`${version}\n`);
      return 0;
    }
    if (values.help || command === undefined || command === 'help') {
      process.stdout.write(HELP + '\n');
      return command === undefined && !values.help ? 2 : 0;
    }
    const run = COMMANDS[command];
    if (!run) throw new UsageError(`unknown command '${command}' (see tempo help)`);
    const json = values.json === true;
    engine = Engine.open(typeof values.home === 'string' ? values.home : defaultHome());
    return await run({ engine, out: makeOutput(json), args, options: values, signal: ctl.signal });
  } catch (err) {
    const { message, exitCode } = cliError(err);
    process.stderr.write(`tempo: ${message}\n`);
    // Not an Error at all is a bug: its stack (if any) goes too; TEMPO_DEBUG shows every one.
    if (!(err instanceof Error) || process.env['TEMPO_DEBUG'])
      process.stderr.write(`${(err as Error | null)?.stack}\n`);
    return exitCode;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    await engine?.shutdown();
  }
}

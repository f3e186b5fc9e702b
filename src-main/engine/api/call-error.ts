/**
 * How a failed contract call reads to the UI, decided in ONE place for both UI transports
 * (web mode's /api/ route and Electron's IPC bridge): a one-line message, whether the caller
 * is at fault, and the HTTP status that says the same.
 */
import { EngineError, INPUT_NAMES, NotFoundError, renderInputs, UsageError, type InputName } from '../errors.js';

/** The contract's CallError ({ error, usage }) with the HTTP status it maps to. */
export interface CallFailure {
  /** One line, for the operator. */
  error: string;
  /** True when the caller is at fault (bad input, unknown call or id): it is no use trying again as is. */
  usage: boolean;
  /** 400 for a usage error, 404 for something that does not exist, 500 for anything else. */
  status: 400 | 404 | 500;
}

/** First line of an error's message: what the operator reads. */
export function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]?.trim() || 'error';
}

/** The failure a transport answers for `error`, thrown by a contract call. */
export function toCallError(error: unknown): CallFailure {
  const status = error instanceof UsageError ? 400 : error instanceof NotFoundError ? 404 : 500;
  return { error: uiMessage(error), usage: status !== 500, status };
}

/**
 * The workstation's names for the inputs an engine error can name: the engine's own, except
 * where a form of the workstation (Settings, Install a model) has a label for it. The CLI
 * names them by its flags (cli/errors.ts).
 */
const UI_LABELS: Readonly<Record<InputName, string>> = {
  ...INPUT_NAMES,
  samples: 'Samples (Settings)',
  device: 'Device (Settings)',
  model: 'a model (Settings)',
  dtype: 'Dtype',
  token: 'the server token (Settings)',
  candidates: 'the candidate model (Settings)',
  refineBelow: 'Refine below (Settings)',
  auditShare: 'Audit share (Settings)',
};

/** The message as the UI shows it: an engine error's inputs named by the workstation's labels. */
function uiMessage(error: unknown): string {
  if (error instanceof EngineError) {
    return oneLine(new Error(renderInputs(error.template, (input) => UI_LABELS[input])));
  }
  return oneLine(error);
}

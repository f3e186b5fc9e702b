import { EngineError } from '../errors.js';

/**
 * Why a model install, pull or export failed, one line. `usage`: what was asked is wrong (a
 * name taken, a folder that is no model: CLI exit 2); else the files, the network or the disk
 * failed (exit 1).
 */
class ModelTaskError extends EngineError {
  override name = 'ModelTaskError';
  constructor(
    message: string,
    readonly usage = false,
  ) {
    super(message);
  }
}

/** Why a folder cannot be installed; one line naming the file and what is wrong. */
export class InstallError extends ModelTaskError {
  override name = 'InstallError';
}

/** Why a pull failed: the request (usage), or the network, a checksum, the disk. */
export class PullError extends ModelTaskError {
  override name = 'PullError';
}

/** Why an export failed: the request (usage), or the copy. */
export class ExportError extends ModelTaskError {
  override name = 'ExportError';
}

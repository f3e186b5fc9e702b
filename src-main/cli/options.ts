import { UsageError } from '../engine/errors.js';
import { checkDevice, DeviceError, type Device } from '../engine/models/devices.js';
import { Dtype } from '../engine/models/manifest.js';
import type { CommandContext } from './context.js';

type Options = CommandContext['options'];

/** A string option's value; undefined when not given. */
export function stringOption(options: Options, name: string): string | undefined {
  const value = options[name];
  return typeof value === 'string' ? value : undefined;
}

/** A numeric option's value as given (Number of the text, checked by the engine); undefined when not given. */
export function numberOption(options: Options, name: string): number | undefined {
  const value = stringOption(options, name);
  return value === undefined ? undefined : Number(value);
}

/**
 * The --per-server of `ground` and `eval` with model servers: requests each server takes at
 * once, a whole number from 1 to 64; undefined when not given.
 */
export function perServerOption(options: Options): number | undefined {
  const value = stringOption(options, 'per-server');
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 64) throw new UsageError('--per-server must be a whole number from 1 to 64');
  return n;
}

/** The models named by --model (repeatable); none: every model with runs. */
export function modelList(options: Options, all: () => string[]): string[] {
  const many = options['models'];
  if (Array.isArray(many) && many.length > 0) return [...new Set(many)];
  const one = options['model'];
  return typeof one === 'string' ? [one] : all();
}

/** The --port of `serve` and `serve-model`: a port number, 0 for a free one. */
export function portOption(options: Options, fallback: number): number {
  const port = options['port'] === undefined ? fallback : Number(options['port']);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError('--port must be a port number (0 picks a free one)');
  return port;
}

/** A --device value checked; a device this build does not know is a usage error. */
export function deviceOption(value: string): Device {
  try {
    return checkDevice(value);
  } catch (err) {
    if (err instanceof DeviceError) throw new UsageError(err.message);
    throw err;
  }
}

/** The --name, --dtype, --profile and --device options of `models install` and `models pull`. */
export function installOptions(options: Options): {
  name?: string;
  dtype?: Dtype;
  profile?: string;
  device?: Device;
} {
  const dtype = stringOption(options, 'dtype');
  if (dtype !== undefined && !Dtype.safeParse(dtype).success)
    throw new UsageError(`unknown --dtype '${dtype}' (one of ${Dtype.options.join(', ')})`);
  const d = stringOption(options, 'device');
  const device = d === undefined ? undefined : deviceOption(d);
  const name = stringOption(options, 'name');
  const profile = stringOption(options, 'profile');
  return {
    ...(name ? { name } : {}),
    ...(dtype ? { dtype: dtype as Dtype } : {}),
    ...(profile ? { profile } : {}),
    ...(device ? { device } : {}),
  };
}

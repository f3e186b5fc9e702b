import fs from 'node:fs';
import path from 'node:path';
import { formatPredictionLine, writtenIds, type PredictionLine } from './predictions.js';

/**
 * Opens a predictions file to continue it: creates its folder, cuts a last line left half
 * written by a killed process, and returns the ids already written (a resumed run skips them).
 */
export function resumePredictions(file: string): Set<string> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (!fs.existsSync(file)) return new Set();
  const text = fs.readFileSync(file, 'utf8');
  const end = text.lastIndexOf('\n') + 1;
  if (end < text.length) fs.truncateSync(file, Buffer.byteLength(text.slice(0, end)));
  return writtenIds(text.slice(0, end));
}

/** Appends one prediction line and fsyncs it: once this returns, a crash cannot lose it. */
export function appendPrediction(file: string, line: PredictionLine): void {
  const fd = fs.openSync(file, 'a');
  try {
    fs.writeSync(fd, formatPredictionLine(line));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

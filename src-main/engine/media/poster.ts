import ffmpeg from 'fluent-ffmpeg';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { stillSlots } from './limit.js';
import { removeAbandonedTemps, tempNameFor } from './temp.js';
import { MediaError, lastErrorLine } from './tools.js';

/**
 * A JPEG still (320 px wide) of the frame at `atS`, as bytes: ffmpeg writes it to a pipe, so
 * no file is shared between concurrent calls. A seek can land where nothing decodes (an
 * MPEG-TS file whose next keyframe is past its end): then the first frame is taken. Fails
 * when the video cannot be decoded at all. At most a few ffmpeg children make stills at once
 * (limit.ts); the others wait their turn.
 */
export async function makeStill(file: string, atS: number): Promise<Buffer> {
  try {
    return await stillSlots.run(() => stillAt(file, atS));
  } catch (err) {
    if (atS <= 0 || !(err instanceof MediaError) || !err.message.startsWith('no frame could be decoded')) throw err;
    return await stillSlots.run(() => stillAt(file, 0));
  }
}

/** Posters being written now, by output file: a second call for one file joins the first. */
const writing = new Map<string, Promise<void>>();

/**
 * Writes a JPEG poster (320 px wide) of the frame at `atS` to `outFile`, atomically: the file
 * appears whole or not at all. Each call writes its own uniquely named temporary file (removed
 * on failure), and concurrent calls for one `outFile` share one ffmpeg run.
 */
export function makePoster(file: string, outFile: string, atS: number): Promise<void> {
  let job = writing.get(outFile);
  if (!job) {
    job = (async () => {
      const jpeg = await makeStill(file, atS);
      writeAtomically(outFile, jpeg);
    })().finally(() => writing.delete(outFile));
    writing.set(outFile, job);
  }
  return job;
}

/** Writes bytes to a uniquely named temporary file beside `outFile`, then renames it into place. */
export function writeAtomically(outFile: string, bytes: Uint8Array): void {
  removeAbandonedTemps(path.dirname(outFile));
  const tmp = tempNameFor(outFile);
  try {
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, outFile);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

async function stillAt(file: string, atS: number): Promise<Buffer> {
  let stderrTail = '';
  const cmd = ffmpeg(file)
    .inputOptions(['-nostdin', '-hide_banner', '-ss', atS.toFixed(3)])
    .outputOptions(['-frames:v', '1', '-an', '-sn', '-vf', 'scale=320:-2', '-q:v', '4', '-c:v', 'mjpeg'])
    .format('image2pipe')
    .on('stderr', (line: string) => {
      stderrTail = (stderrTail + '\n' + line).slice(-4000);
    });
  const finished = new Promise<Error | null>((resolve) => {
    cmd.on('end', () => resolve(null));
    cmd.on('error', (err: Error) => resolve(err));
  });
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of cmd.pipe() as Readable as AsyncIterable<Buffer>) chunks.push(chunk);
  } catch {
    // The pipe's own error is ffmpeg's failure, reported below.
  }
  const failure = await finished;
  const jpeg = Buffer.concat(chunks);
  if (failure && jpeg.length === 0 && !/Output file is empty|does not contain any stream/i.test(stderrTail)) {
    throw new MediaError(`cannot decode: ${lastErrorLine(stderrTail, String(failure))}`);
  }
  if (jpeg.length === 0) throw new MediaError(`no frame could be decoded at ${atS.toFixed(1)} s`);
  return jpeg;
}

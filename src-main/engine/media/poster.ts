import fs from 'node:fs';
import path from 'node:path';
import { stillSlots } from './limit.js';
import { removeAbandonedTemps, tempNameFor } from './temp.js';
import { startFfmpeg } from './raw-video.js';
import { MediaError, ffmpegFailed, ffmpegFailure, ffmpegReason } from './tools.js';

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
  const ff = startFfmpeg([
    '-nostdin',
    '-hide_banner',
    '-ss',
    atS.toFixed(3),
    '-i',
    file,
    '-frames:v',
    '1',
    '-an',
    '-sn',
    '-vf',
    'scale=320:-2',
    '-q:v',
    '4',
    '-c:v',
    'mjpeg',
    '-f',
    'image2pipe',
    'pipe:1',
  ]);
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of ff.stdout as AsyncIterable<Buffer>) chunks.push(chunk);
  } catch {
    // The pipe's own error: how ffmpeg ended is reported below.
  }
  const exit = await ff.exited;
  const jpeg = Buffer.concat(chunks);
  if (exit.startError) throw new MediaError(ffmpegFailure(exit));
  const nothing = /Output file is empty|does not contain any stream/i.test(exit.stderr.join('\n'));
  if (ffmpegFailed(exit) && jpeg.length === 0 && !nothing) throw new MediaError(`cannot decode: ${ffmpegReason(exit)}`);
  if (jpeg.length === 0) throw new MediaError(`no frame could be decoded at ${atS.toFixed(1)} s`);
  return jpeg;
}

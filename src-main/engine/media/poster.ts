import ffmpeg from 'fluent-ffmpeg';
import fs from 'node:fs';
import { MediaError, lastErrorLine } from './tools.js';

/**
 * Writes a JPEG poster (320 px wide) of the frame at `atS` to `outFile`, atomically: the
 * file appears whole or not at all. A seek can land where nothing decodes (an MPEG-TS file
 * whose next keyframe is past its end): then the first frame is taken. Fails when the video
 * cannot be decoded at all.
 */
export async function makePoster(file: string, outFile: string, atS: number): Promise<void> {
  try {
    await posterAt(file, outFile, atS);
  } catch (err) {
    if (atS <= 0 || !(err instanceof MediaError) || !err.message.startsWith('no frame could be decoded')) throw err;
    await posterAt(file, outFile, 0);
  }
}

async function posterAt(file: string, outFile: string, atS: number): Promise<void> {
  const tmp = `${outFile}.${process.pid}.tmp.jpg`;
  let stderrTail = '';
  try {
    await new Promise<void>((resolve, reject) => {
      ffmpeg(file)
        .inputOptions(['-nostdin', '-hide_banner', '-ss', atS.toFixed(3)])
        .outputOptions(['-frames:v', '1', '-an', '-vf', 'scale=320:-2', '-q:v', '4', '-y'])
        .output(tmp)
        .on('stderr', (line: string) => {
          stderrTail = (stderrTail + '\n' + line).slice(-4000);
        })
        .on('end', () => resolve())
        .on('error', (err: Error) => reject(err))
        .run();
    });
    const size = fs.existsSync(tmp) ? fs.statSync(tmp).size : 0;
    if (size === 0) throw new MediaError(`no frame could be decoded at ${atS.toFixed(1)} s`);
    fs.renameSync(tmp, outFile);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    if (err instanceof MediaError) throw err;
    throw new MediaError(`cannot decode: ${lastErrorLine(stderrTail, String(err))}`);
  }
}

/**
 * How a failed (or slow to exit) ffmpeg is reported. The message names the stderr line that
 * says what went wrong, never ffmpeg's routine progress or closing summary, with the exit
 * code or signal; and a run is judged by how the process ended, not by when its output closed.
 * Fake ffmpeg programs (tests/support/fake-program.ts) play each case exactly.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeStill } from '../../../src-main/engine/media/poster.js';
import { probeVideo } from '../../../src-main/engine/media/probe.js';
import { rawVideoFrames } from '../../../src-main/engine/media/raw-video.js';
import {
  configureFfmpeg,
  ffmpegErrorLine,
  ffmpegFailure,
  ffmpegProgram,
  isRoutineLine,
} from '../../../src-main/engine/media/tools.js';
import { fakeProgram } from '../../support/fake-program.js';
import { removeTempDirs, tempDir } from '../../support/temp.js';

/** What ffmpeg 5.1 writes around a raw video run, the closing summary last. */
const ROUTINE = [
  "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'clip.mp4':",
  '  Metadata:',
  '    major_brand     : isom',
  '  Duration: 00:00:06.00, start: 0.000000, bitrate: 131 kb/s',
  '  Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p, 320x180, 25 fps',
  'Stream mapping:',
  '  Stream #0:0 -> #0:0 (h264 (native) -> rawvideo (native))',
  "Output #0, rawvideo, to 'pipe:1':",
  '      encoder         : Lavc59.37.100 rawvideo',
  '[Parsed_showinfo_1 @ 0x55d0c8] n:   0 pts:  25600 pts_time:2       duration:    512',
  'frame=   50 fps=0.0 q=-0.0 Lsize=    2132kB time=00:00:02.00 bitrate=8732.2kbits/s speed=36.8x',
  '[out#0/rawvideo @ 0x5621] video:2132kB audio:0kB subtitle:0kB other streams:0kB global headers:0kB muxing overhead: 0.000000%',
];

describe('the line a failure is reported with', () => {
  it('is the line naming the problem, not the closing summary after it', () => {
    const stderr = [
      ...ROUTINE.slice(0, 10),
      'Error while decoding stream #0:0: Invalid data found when processing input',
      ...ROUTINE.slice(10),
    ];
    const message = ffmpegFailure({ code: 1, signal: null, startError: null, stderr });
    expect(message).toBe(
      'ffmpeg failed: Error while decoding stream #0:0: Invalid data found when processing input (exit code 1)',
    );
  });

  it("prefers ffmpeg's own statement to a decoder's complaints before it", () => {
    const stderr = [
      '[h264 @ 0x55d0c8] error while decoding MB 3 2, bytestream -5',
      '[h264 @ 0x55d0c8] concealing 40 DC, 40 AC, 40 MV errors in P frame',
      ...ROUTINE.slice(0, 10),
      'clip.mp4: Invalid data found when processing input',
      ...ROUTINE.slice(10),
    ];
    expect(ffmpegErrorLine(stderr, 'fallback')).toBe('clip.mp4: Invalid data found when processing input');
    // Without a statement of ffmpeg's own, a library's first complaint, without its tag.
    expect(ffmpegErrorLine([...stderr.slice(0, 2), ...ROUTINE], 'fallback')).toBe(
      'error while decoding MB 3 2, bytestream -5',
    );
  });

  it("is the cause ffmpeg gave first, not the 'Conversion failed!' that ends it", () => {
    const stderr = [
      "[AVFilterGraph @ 0x562a5bd614c0] No such filter: 'nosuchfilter'",
      'Error reinitializing filters!',
      'Failed to inject frame into filter network: Invalid argument',
      'Error while processing the decoded data for stream #0:0',
      'Conversion failed!',
    ];
    expect(ffmpegErrorLine(stderr, 'fallback')).toBe("No such filter: 'nosuchfilter'");
    expect(ffmpegErrorLine(['Conversion failed!'], 'fallback')).toBe('Conversion failed!');
    expect(ffmpegErrorLine(['bad.mp4: Invalid data found when processing input'], 'x')).toBe(
      'bad.mp4: Invalid data found when processing input',
    );
  });

  it('is only how it ended when every line is routine, and the fallback when there are none', () => {
    for (const line of ROUTINE) expect(isRoutineLine(line), line).toBe(true);
    expect(ffmpegErrorLine(ROUTINE, 'fallback')).toBe('fallback');
    expect(ffmpegFailure({ code: null, signal: 'SIGKILL', startError: null, stderr: ROUTINE })).toBe(
      'ffmpeg failed: killed by signal SIGKILL',
    );
    expect(ffmpegFailure({ code: 69, signal: null, startError: null, stderr: [] })).toBe('ffmpeg failed: exit code 69');
    const missing = Object.assign(new Error('spawn nope ENOENT'), { code: 'ENOENT' });
    expect(ffmpegFailure({ code: null, signal: null, startError: missing, stderr: [] })).toBe(
      'ffmpeg was not found: install ffmpeg or set TEMPO_FFMPEG',
    );
  });
});

/** A fake ffmpeg: writes `frames` frames of 4 bytes to stdout, then does what `after` says. */
function fakeFfmpeg(dir: string, name: string, after: string): string {
  return fakeProgram(
    dir,
    name,
    `import fs from 'node:fs';
// What fluent-ffmpeg asks before a run (which formats there are): enough for it to go on.
if (process.argv.includes('-formats') || process.argv.includes('-encoders')) {
  process.stdout.write(' DE rawvideo        raw video\\n');
  process.exit(0);
}
const frames = Number(process.env.FAKE_FRAMES ?? 3);
fs.writeSync(1, Buffer.alloc(4 * frames, 7));
const err = (line) => fs.writeSync(2, line + '\\n');
${after}
`,
  );
}

const SUMMARY = JSON.stringify(ROUTINE.at(-1));

describe.skipIf(process.platform === 'win32')('rawVideoFrames with a fake ffmpeg', () => {
  let dir: string;
  const real = ffmpegProgram();
  beforeAll(() => {
    dir = tempDir('tempo-fake-ffmpeg-');
  });
  afterAll(() => {
    configureFfmpeg(real);
    removeTempDirs();
  });

  const frames = async (file = '/dev/null'): Promise<number> => {
    let n = 0;
    for await (const _ of rawVideoFrames(file, 4, { filter: 'null', pixelFormat: 'gray' })) n++;
    return n;
  };

  it('succeeds when ffmpeg closes its output well before it exits (a loaded machine)', async () => {
    // ffmpeg closes pipe:1, then frees its decoders and exits: under load that takes more than
    // the 20 ms fluent-ffmpeg allowed, after which it reported "Output stream closed".
    configureFfmpeg(
      fakeFfmpeg(dir, 'slow-exit', `fs.closeSync(1);\nsetTimeout(() => { err(${SUMMARY}); process.exit(0); }, 300);`),
    );
    expect(await frames()).toBe(3);
  });

  it('reports the error line and the exit code when ffmpeg fails after its summary', async () => {
    configureFfmpeg(
      fakeFfmpeg(
        dir,
        'fails',
        `err('[rawvideo @ 0x1] av_interleaved_write_frame(): Broken pipe');\nerr(${SUMMARY});\nprocess.exit(1);`,
      ),
    );
    await expect(frames()).rejects.toThrow(
      /^ffmpeg failed: av_interleaved_write_frame\(\): Broken pipe \(exit code 1\)$/,
    );
  });

  it('reports the signal that ended ffmpeg', async () => {
    configureFfmpeg(fakeFfmpeg(dir, 'killed', `err(${SUMMARY});\nprocess.kill(process.pid, 'SIGKILL');`));
    await expect(frames()).rejects.toThrow(/^ffmpeg failed: killed by signal SIGKILL$/);
  });

  it('says ffmpeg is missing when it cannot be started', async () => {
    configureFfmpeg(path.join(dir, 'no-such-ffmpeg'));
    await expect(frames()).rejects.toThrow(/^ffmpeg was not found: install ffmpeg or set TEMPO_FFMPEG$/);
  });

  it('kills ffmpeg when the loop is left early, and returns only once it is gone', async () => {
    const pidFile = path.join(dir, 'endless.pid');
    configureFfmpeg(
      fakeFfmpeg(
        dir,
        'endless',
        `fs.writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));\nsetInterval(() => fs.writeSync(1, Buffer.alloc(4, 1)), 5);`,
      ),
    );
    let n = 0;
    for await (const _ of rawVideoFrames('/dev/null', 4, { filter: 'null', pixelFormat: 'gray' })) {
      if (++n === 5) break;
    }
    expect(n).toBe(5);
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
  });

  it("names ffprobe's error line and how it ended when a file cannot be probed", async () => {
    // configureFfmpeg takes the ffprobe beside the ffmpeg it is given.
    fakeProgram(
      dir,
      'ffprobe',
      `import fs from 'node:fs';\nfs.writeSync(2, '[mov,mp4 @ 0x1] stream 0, offset 0x30: partial file\\n');\nprocess.exit(1);`,
    );
    configureFfmpeg(path.join(dir, 'ffmpeg'));
    await expect(probeVideo('/dev/null')).rejects.toThrow(
      /^unreadable by ffprobe: stream 0, offset 0x30: partial file \(exited with code 1\)$/,
    );
  });

  it('gives a still written before ffmpeg lingered and exited', async () => {
    const jpeg = [0xff, 0xd8, 0xff, 0xd9];
    configureFfmpeg(
      fakeProgram(
        dir,
        'still',
        `import fs from 'node:fs';\nfs.writeSync(1, Buffer.from(${JSON.stringify(jpeg)}));\nfs.closeSync(1);\nsetTimeout(() => process.exit(0), 300);`,
      ),
    );
    expect([...(await makeStill('/dev/null', 1))]).toEqual(jpeg);
  });
});

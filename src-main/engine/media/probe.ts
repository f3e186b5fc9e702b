import ffmpeg from 'fluent-ffmpeg';
import fs from 'node:fs';
import { MediaError, ffmpegErrorLine } from './tools.js';

export interface MediaInfo {
  durationS: number;
  fps: number;
  width: number;
  height: number;
  codec: string;
  /** Creation time from the container's tags, ISO 8601, when the file has one. */
  createdAt: string | null;
  /** Timestamp of the video's first frame, seconds (often 1.4 in MPEG-TS; times in Tempo count from it). */
  startS: number;
}

function parseRate(rate: string | undefined): number {
  if (!rate) return 0;
  const [num, den] = rate.split('/').map(Number);
  if (num === undefined || !Number.isFinite(num)) return 0;
  if (den === undefined) return num;
  return den > 0 ? num / den : 0;
}

function ffprobeRaw(file: string): Promise<ffmpeg.FfprobeData> {
  return new Promise((resolve, reject) => {
    ffmpeg.ffprobe(file, (err: Error | null, data: ffmpeg.FfprobeData) => {
      if (err) reject(err);
      else resolve(data);
    });
  });
}

/** True when the file starts like an ISO media file (MP4, MOV): a box size, then 'ftyp'. */
function looksLikeIsoMedia(file: string): boolean {
  try {
    const fd = fs.openSync(file, 'r');
    const head = Buffer.alloc(12);
    fs.readSync(fd, head, 0, 12, 0);
    fs.closeSync(fd);
    return ['ftyp', 'moov', 'mdat', 'free', 'wide'].includes(head.toString('latin1', 4, 8));
  } catch {
    return false;
  }
}

function probeFailure(err: unknown, file: string): MediaError {
  const text = err instanceof Error ? err.message : String(err);
  if (/ENOENT|spawn .*ffprobe/.test(text) && /spawn/.test(text)) {
    return new MediaError('ffprobe was not found: install ffmpeg or set TEMPO_FFMPEG');
  }
  if (/moov atom not found/i.test(text)) {
    return looksLikeIsoMedia(file)
      ? new MediaError('truncated or unfinished file (moov atom not found)')
      : new MediaError('not a video file (no media header)');
  }
  if (/Invalid data found/i.test(text)) return new MediaError('not a video file (invalid data)');
  // fluent-ffmpeg's message: how ffprobe ended ("ffprobe exited with code 1"), then its stderr.
  const [first = '', ...stderr] = text.split('\n');
  const how = first.replace(/^ffprobe /, '');
  const line = ffmpegErrorLine(stderr, '');
  return new MediaError(`unreadable by ffprobe: ${line ? `${line} (${how})` : how || 'unknown error'}`);
}

/** Reads duration, frame rate, size, codec and creation time of a video file with ffprobe. */
export async function probeVideo(file: string): Promise<MediaInfo> {
  let data: ffmpeg.FfprobeData;
  try {
    data = await ffprobeRaw(file);
  } catch (err) {
    throw probeFailure(err, file);
  }
  const video = data.streams.find(
    (s) => s.codec_type === 'video' && !(s.disposition && s.disposition.attached_pic === 1),
  );
  if (!video) throw new MediaError('no video stream');
  const width = video.width ?? 0;
  const height = video.height ?? 0;
  if (width <= 0 || height <= 0) throw new MediaError('video stream has no picture size');
  const durationS = Number(video.duration) > 0 ? Number(video.duration) : Number(data.format.duration);
  if (!Number.isFinite(durationS) || durationS <= 0) throw new MediaError('no duration (empty or unfinished file)');
  const fps = parseRate(video.avg_frame_rate) || parseRate(video.r_frame_rate);
  const tags = { ...(data.format.tags ?? {}), ...(video.tags ?? {}) } as Record<string, unknown>;
  const created = tags['creation_time'];
  const createdAt =
    typeof created === 'string' && !Number.isNaN(Date.parse(created)) ? new Date(created).toISOString() : null;
  const start = Number(video.start_time ?? data.format.start_time);
  const startS = Number.isFinite(start) ? start : 0;
  return { durationS, fps, width, height, codec: video.codec_name ?? 'unknown', createdAt, startS };
}

/** The ffmpeg tests run themselves (to make or remux clips): TEMPO_FFMPEG, as the engine takes it, or the PATH's. */
export const FFMPEG = process.env['TEMPO_FFMPEG'] ?? 'ffmpeg';

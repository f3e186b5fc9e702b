/**
 * Extensions of video files, lower case with the dot: what a folder import takes, what the
 * open dialog offers and where an evaluation looks for a set's videos. A single file named on
 * its own is tried whatever its name.
 */
export const VIDEO_EXTENSIONS: readonly string[] = [
  '.mp4',
  '.m4v',
  '.mov',
  '.mkv',
  '.webm',
  '.avi',
  '.ts',
  '.mts',
  '.m2ts',
  '.mpg',
  '.mpeg',
  '.wmv',
  '.flv',
  '.3gp',
  '.mjpeg',
  '.mjpg',
  '.h264',
  '.h265',
  '.hevc',
  '.ogv',
  // Dahua security recorders
  '.dav',
];

export function isVideoFileName(name: string): boolean {
  const dot = name.lastIndexOf('.');
  return dot >= 0 && VIDEO_EXTENSIONS.includes(name.slice(dot).toLowerCase());
}

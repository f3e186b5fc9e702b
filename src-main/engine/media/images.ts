import sharp from 'sharp';
/** RGB24 pixels of one picture, row-major. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export type ImageFormat = 'jpeg' | 'png';

/** RGB24 pixels as a JPEG (quality 90) or lossless PNG, for sending to a model server. */
export async function encodeImage(im: RgbImage, format: ImageFormat): Promise<Buffer> {
  const s = sharp(im.data, { raw: { width: im.width, height: im.height, channels: 3 } });
  return format === 'png' ? s.png({ compressionLevel: 3 }).toBuffer() : s.jpeg({ quality: 90 }).toBuffer();
}

export function dataUrl(format: ImageFormat, bytes: Buffer): string {
  return `data:image/${format};base64,${bytes.toString('base64')}`;
}

export class ImageError extends Error {}

const DATA_URL = /^data:image\/[a-z0-9.+-]+;base64,/i;

/** Decodes an image sent as a data: URL (JPEG, PNG, WebP...) to RGB24 pixels; remote URLs are refused. */
export async function decodeDataUrl(url: string): Promise<RgbImage> {
  const m = DATA_URL.exec(url);
  if (!m) {
    throw new ImageError(
      url.startsWith('data:')
        ? 'an image data: URL must be base64 image data'
        : 'images must be data: URLs (this server never fetches)',
    );
  }
  try {
    const { data, info } = await sharp(Buffer.from(url.slice(m[0].length), 'base64'))
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new ImageError(`unexpected ${info.channels} channels`);
    return {
      width: info.width,
      height: info.height,
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    };
  } catch (err) {
    throw new ImageError(`an image could not be decoded: ${(err as Error).message.split('\n')[0]}`);
  }
}

/**
 * Small PNG helpers for the app package: read the size from the file header, decode pixels,
 * and encode an RGBA image. `pngjs` ships no type declarations, so it is loaded through a
 * narrow local interface instead of a global `declare module` that could clash with others.
 */

/** An RGBA image, 4 bytes per pixel, rows top to bottom. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** What the IHDR chunk says about a PNG. */
export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  /** 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA. */
  colorType: number;
}

interface PngJsModule {
  PNG: {
    new (options: { width: number; height: number }): { data: Buffer };
    sync: {
      read(buffer: Buffer): { width: number; height: number; data: Buffer };
      write(png: { width: number; height: number; data: Buffer }): Buffer;
    };
  };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- untyped CommonJS package, typed by PngJsModule above
const pngjs: PngJsModule = require('pngjs');

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Reads width, height and colour type from the PNG header without decoding the image.
 * Throws if the bytes are not a PNG (for example a JPEG renamed to .png, which Teams rejects).
 */
export function readPngHeader(bytes: Uint8Array): PngHeader {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 33 || !buf.subarray(0, 8).equals(SIGNATURE) || buf.toString('latin1', 12, 16) !== 'IHDR') {
    throw new Error('not a PNG file (bad signature or missing IHDR chunk)');
  }
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20), bitDepth: buf[24], colorType: buf[25] };
}

/** Decodes a PNG of any colour type into 8-bit RGBA. */
export function decodePng(bytes: Uint8Array): RgbaImage {
  const png = pngjs.PNG.sync.read(Buffer.from(bytes));
  return { width: png.width, height: png.height, data: new Uint8Array(png.data) };
}

/** Encodes an RGBA image as a PNG (colour type 6, so transparency is kept). */
export function encodePng(image: RgbaImage): Buffer {
  const png = new pngjs.PNG({ width: image.width, height: image.height });
  png.data.set(image.data);
  return pngjs.PNG.sync.write({ width: image.width, height: image.height, data: png.data });
}

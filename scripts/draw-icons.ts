/**
 * Draws the Teams app icons: `manifest/color.png` (192×192) and `manifest/outline.png`
 * (32×32, white on transparent, as Teams requires for the outline icon).
 *
 * Run: `node scripts/run-ts.js scripts/draw-icons.ts` (the PNGs are committed; run this only
 * to change the artwork). The glyph is a shipping container (an image in a registry) with a
 * key badge (pull access). Shapes are tested per sample point and supersampled 8×8 per pixel,
 * which gives smooth edges without a vector graphics dependency.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { encodePng, type RgbaImage } from './package/png';

/** A point test in pixel coordinates (0,0 is the top-left corner of the image). */
type Shape = (x: number, y: number) => boolean;
type Rgba = readonly [number, number, number, number];
/** Paint a shape with a colour, or erase it back to transparent. */
type Op = { shape: Shape; paint: Rgba | 'erase' };

const rect =
  (x0: number, y0: number, x1: number, y1: number, r = 0): Shape =>
  (x, y) => {
    if (x < x0 || x > x1 || y < y0 || y > y1) return false;
    // Inside the box; only the four corner squares need the rounding test.
    const cx = Math.min(Math.max(x, x0 + r), x1 - r);
    const cy = Math.min(Math.max(y, y0 + r), y1 - r);
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
  };
const circle =
  (cx: number, cy: number, r: number): Shape =>
  (x, y) =>
    (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const union =
  (...shapes: Shape[]): Shape =>
  (x, y) =>
    shapes.some((s) => s(x, y));

/**
 * A key lying horizontally: ring (bow) on the left, shaft to the right, two bits hanging
 * down. `s` scales the whole key; (cx, cy) is the centre of the bow.
 */
function key(cx: number, cy: number, s: number): { solid: Shape; hole: Shape } {
  const solid = union(
    circle(cx, cy, 9 * s),
    rect(cx + 6 * s, cy - 3 * s, cx + 30 * s, cy + 3 * s, 1 * s),
    rect(cx + 20 * s, cy, cx + 25 * s, cy + 10 * s, 1 * s),
    rect(cx + 26.5 * s, cy, cx + 30 * s, cy + 8 * s, 1 * s),
  );
  return { solid, hole: circle(cx, cy, 4.5 * s) };
}

/** Renders the ops onto a transparent canvas with `ss`×`ss` samples per pixel. */
function render(width: number, height: number, ops: Op[], ss = 8): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      // Accumulate premultiplied colour so edges against transparency stay clean.
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const x = px + (sx + 0.5) / ss;
          const y = py + (sy + 0.5) / ss;
          let c: Rgba = [0, 0, 0, 0];
          for (const op of ops) if (op.shape(x, y)) c = op.paint === 'erase' ? [0, 0, 0, 0] : op.paint;
          const alpha = c[3] / 255;
          r += c[0] * alpha;
          g += c[1] * alpha;
          b += c[2] * alpha;
          a += alpha;
        }
      }
      const i = (py * width + px) * 4;
      const n = ss * ss;
      data[i + 3] = Math.round((a / n) * 255);
      if (a > 0) {
        data[i] = Math.round(r / a);
        data[i + 1] = Math.round(g / a);
        data[i + 2] = Math.round(b / a);
      }
    }
  }
  return { width, height, data };
}

const WHITE: Rgba = [255, 255, 255, 255];
/** The manifest's accentColor (#0F6CBD, Fluent "brand" blue) so the tile and icon match. */
const ACCENT: Rgba = [0x0f, 0x6c, 0xbd, 255];
const ACCENT_DARK: Rgba = [0x0a, 0x4a, 0x85, 255];
const BADGE: Rgba = [0x10, 0x7c, 0x41, 255];

/** 192×192 full-colour icon: blue tile, white container, green key badge. */
export function drawColorIcon(): RgbaImage {
  // The glyph (container + badge) is centred on the tile as a whole, not the container alone.
  const container = rect(20, 34, 140, 118, 10);
  const ribs: Shape[] = [];
  for (let i = 0; i < 6; i++) ribs.push(rect(36 + i * 18, 48, 42 + i * 18, 104, 3));
  const k = key(116, 134, 1.3);
  return render(192, 192, [
    { shape: rect(0, 0, 192, 192), paint: ACCENT },
    { shape: container, paint: WHITE },
    { shape: union(...ribs), paint: ACCENT_DARK },
    // A ring of tile colour around the badge separates it from the container.
    { shape: circle(134, 134, 42), paint: ACCENT },
    { shape: circle(134, 134, 35), paint: BADGE },
    { shape: k.solid, paint: WHITE },
    { shape: k.hole, paint: BADGE },
  ]);
}

/**
 * 32×32 outline icon: only white and transparency. At this size a scaled-down key blurs, so
 * the outline uses its own pixel-aligned geometry (2 px strokes on whole pixels) and a
 * transparent gap around the key instead of a badge disc.
 */
export function drawOutlineIcon(): RgbaImage {
  const ribs = union(rect(8, 8, 10, 16), rect(13, 8, 15, 16), rect(18, 8, 20, 16));
  const keyShape = (pad: number): Shape =>
    union(
      circle(9.5, 25, 4.5 + pad),
      rect(13 - pad, 24 - pad, 29 + pad, 26 + pad),
      rect(22 - pad, 24, 24 + pad, 29 + pad),
      rect(26 - pad, 24, 28 + pad, 28 + pad),
    );
  return render(32, 32, [
    // Container drawn as line art (Teams outline icons are line art).
    { shape: rect(2, 3, 26, 20, 2), paint: WHITE },
    { shape: rect(4, 5, 24, 18, 0.5), paint: 'erase' },
    { shape: ribs, paint: WHITE },
    { shape: keyShape(1.5), paint: 'erase' },
    { shape: keyShape(0), paint: WHITE },
    { shape: circle(9.5, 25, 2), paint: 'erase' },
  ]);
}

// Run only as a script (run-ts.js puts the script path in argv[1]), not when a test imports it.
if (path.resolve(process.argv[1] ?? '') === __filename) {
  const dir = path.resolve(__dirname, '..', 'manifest');
  fs.writeFileSync(path.join(dir, 'color.png'), encodePng(drawColorIcon()));
  fs.writeFileSync(path.join(dir, 'outline.png'), encodePng(drawOutlineIcon()));
  console.log(`wrote ${path.join(dir, 'color.png')} and ${path.join(dir, 'outline.png')}`);
}

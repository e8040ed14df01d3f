/**
 * formatDurationMs (duration.ts), which the policy's messages use to quote terms back to their
 * author: the largest unit that writes the duration exactly, so what it prints reads back, through
 * parseDurationMs, as the same duration (never `1.5h`, which is no duration at all).
 */
import { formatDurationMs, parseDurationMs } from '../../src/config/duration';

test.each([
  [90 * 60_000, '90m'],
  [36 * 3_600_000, '36h'],
  [25 * 3_600_000, '25h'],
  [8 * 86_400_000, '8d'],
  [365 * 86_400_000, '1y'],
  [400 * 86_400_000, '400d'],
  [45_000, '45s'],
  [61_000, '61s'],
])('%d ms is written %s and reads back as itself', (ms, written) => {
  expect(formatDurationMs(ms)).toBe(written);
  expect(parseDurationMs(formatDurationMs(ms))).toBe(ms);
});

import { parseDurationMs } from '../../src/config/duration';

describe('parseDurationMs', () => {
  test.each<[string, number]>([
    ['45s', 45_000],
    ['30m', 1_800_000],
    ['90m', 5_400_000],
    ['24h', 86_400_000],
    ['90d', 90 * 86_400_000],
    ['2w', 14 * 86_400_000],
    ['1y', 365 * 86_400_000],
    ['3600', 3_600_000],
    ['1', 1000],
    ['24H', 86_400_000],
    [' 24 h ', 86_400_000],
    ['007m', 420_000],
  ])('%j -> %i', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  test.each(['', ' ', '0', '0s', '0d', '-1h', '1.5h', 'h', '24hours', '1h30m', '24x', 'soon', '1e3', '+5m'])(
    '%j is not a duration',
    (text) => {
      expect(parseDurationMs(text)).toBeUndefined();
    },
  );
});

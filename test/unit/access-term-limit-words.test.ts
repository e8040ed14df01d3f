/**
 * The words of a refused `--for` never name a limit or an example the limits refuse: a maximum
 * that is no whole number of minutes (a policy's `maxDuration: 90s`, ACRBOT_MAX_ACCESS_DURATION
 * in seconds) is shown rounded down and a minimum rounded up, as `--for` takes whole minutes; the
 * example term and `1M`'s suggestions are taken from within the range.
 */
import { parseAccessDuration, termRefusal, type AccessLimits } from '../../src/domain/access-term';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const limits = (over: Partial<AccessLimits> = {}): AccessLimits => ({
  defaultMs: 8 * HOUR,
  minMs: HOUR,
  maxMs: 7 * DAY,
  allowPermanent: false,
  ...over,
});

/** The message `parseAccessDuration` throws for `text`. */
function refusal(text: string, l: AccessLimits): string {
  try {
    parseAccessDuration(text, l);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`${text} was accepted`);
}

describe('limits that are no whole number of minutes', () => {
  test("a rule's maxDuration of 90s reads as at most 1m, not 2m", () => {
    const message = termRefusal({ durationMs: 2 * MINUTE }, limits({ minMs: MINUTE }), {
      id: 'tiny',
      maxDurationMs: 90_000,
    })?.message;
    expect(message).toBe(
      '2m is longer than the maximum access of 1m; choose a duration between 1m and 1m (rule tiny).',
    );
  });

  test('a deployment maximum of 3630 seconds reads as 1h, and a minimum of 90 seconds as 2m', () => {
    const l = limits({ minMs: 90_000, maxMs: 3_630_000, defaultMs: HOUR });
    expect(refusal('61m', l)).toBe('61m is longer than the maximum access of 1h; choose a duration between 2m and 1h.');
    expect(refusal('1m', l)).toBe('1m is shorter than the minimum access of 2m; choose a duration between 2m and 1h.');
  });
});

describe('examples within the range they name', () => {
  test('a text that is no duration is shown the default term as its example', () => {
    expect(refusal('soon', limits())).toBe(
      '"soon" is not a duration; use a number and a unit (m, h, d, w, y), e.g. --for 8h, between 1h and 7d.',
    );
  });

  test('or the maximum when the default is longer', () => {
    expect(refusal('soon', limits({ defaultMs: 30 * DAY }))).toContain('e.g. --for 7d, between 1h and 7d');
  });

  test('`1M` under 1h–7d suggests neither 30d nor 1m, but the range', () => {
    expect(refusal('1M', limits())).toBe('`1M`: M is read as minutes here — choose a duration between 1h and 7d.');
  });

  test('`1M` suggests only the reading the range allows', () => {
    expect(refusal('1M', limits({ minMs: MINUTE, maxMs: 7 * DAY }))).toBe(
      '`1M`: M is read as minutes here — write 1m for a minute.',
    );
    expect(refusal('1M', limits({ maxMs: 90 * DAY }))).toBe(
      '`1M`: M is read as minutes here — write 30d for about a month.',
    );
  });

  test('whole years of months are suggested in years, as "for 12 months" is answered 1y', () => {
    const wide = limits({ minMs: MINUTE, maxMs: 3 * 365 * DAY });
    expect(refusal('12M', wide)).toBe('`12M`: M is read as minutes here — write 1y for a year, or 12m for 12 minutes.');
    expect(refusal('24M', wide)).toBe(
      '`24M`: M is read as minutes here — write 2y for 2 years, or 24m for 24 minutes.',
    );
    expect(refusal('18M', wide)).toBe(
      '`18M`: M is read as minutes here — write 540d for about 18 months, or 18m for 18 minutes.',
    );
    // A year the limits refuse is not suggested (365 days, over a 360-day maximum).
    expect(refusal('12M', limits({ maxMs: 360 * DAY }))).toBe(
      '`12M`: M is read as minutes here — choose a duration between 1h and 360d.',
    );
  });
});

import {
  describeAccess,
  describeDurationMs,
  describeTimeLeft,
  parseAccessDuration,
  termPastLimitsNow,
  termRefusal,
} from '../../src/domain/access-term';
import { REQUEST_STATES } from '../../src/domain/request';
import { UserFacingError } from '../../src/domain/errors';

const LIMITS = { defaultMs: 30 * 86_400_000, minMs: 3_600_000, maxMs: 90 * 86_400_000, allowPermanent: false };

describe('parseAccessDuration (--for)', () => {
  test.each([
    ['12h', 12 * 3_600_000],
    ['30d', 30 * 86_400_000],
    ['12w', 84 * 86_400_000],
    ['90D', 90 * 86_400_000],
    // Six digits read as well as five (about 69 days).
    ['100000m', 100_000 * 60_000],
  ])('%s', (text, ms) => {
    expect(parseAccessDuration(text, LIMITS)).toEqual({ durationMs: ms });
  });

  test('absent → the default', () => {
    expect(parseAccessDuration(undefined, LIMITS)).toEqual({ durationMs: 30 * 86_400_000 });
  });

  test.each([
    ['30m', /shorter than the minimum access of 1h; choose a duration between 1h and 90d/],
    ['1y', /longer than the maximum access of 90d/],
    ['soon', /not a duration/],
    ['1d12h', /not a duration/],
    // Well-formed, only out of range: zero is too short, a long run of digits too long.
    ['0d', /^0d is shorter than the minimum access of 1h; choose a duration between 1h and 90d\.$/],
    ['0m', /^0m is shorter than the minimum access of 1h/],
    ['1000000m', /^1000000m is longer than the maximum access of 90d; choose a duration between 1h and 90d\.$/],
    ['9'.repeat(40) + 'd', /^9{30}… is longer than the maximum access of 90d/],
    ['permanent', /Permanent access is not allowed/],
  ])('%s is refused with the allowed range', (text, message) => {
    let error: unknown;
    try {
      parseAccessDuration(text, LIMITS);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UserFacingError);
    expect((error as UserFacingError).code).toBe('validation.duration');
    expect((error as UserFacingError).message).toMatch(message);
  });

  test('rangeHint follows a range refusal (the rules allowing less), never a term in range or a typo', () => {
    const hint = { rangeHint: 'Rule prod-short allows at most 8h.' };
    expect(() => parseAccessDuration('91d', LIMITS, hint)).toThrow(
      '91d is longer than the maximum access of 90d; choose a duration between 1h and 90d. Rule prod-short allows at most 8h.',
    );
    expect(() => parseAccessDuration('0d', LIMITS, hint)).toThrow(/shorter than the minimum.* Rule prod-short/);
    expect(() => parseAccessDuration('permanent', LIMITS, hint)).toThrow(/not allowed here.* Rule prod-short/);
    expect(parseAccessDuration('30d', LIMITS, hint)).toEqual({ durationMs: 30 * 86_400_000 });
    expect(() => parseAccessDuration('soon', LIMITS, hint)).toThrow(/not a duration/);
    expect(() => parseAccessDuration('soon', LIMITS, hint)).not.toThrow(/prod-short/);
    // More than any number holds exactly: too long, like any other.
    expect(() => parseAccessDuration('9'.repeat(40) + 'd', LIMITS, hint)).toThrow(
      /longer than the maximum access of 90d/,
    );
  });

  test('minimum lowered to 1m allows --for 2m; permanent only when allowed', () => {
    expect(parseAccessDuration('2m', { ...LIMITS, minMs: 60_000 })).toEqual({ durationMs: 120_000 });
    expect(parseAccessDuration('permanent', { ...LIMITS, allowPermanent: true })).toEqual({ permanent: true });
  });
});

describe("termRefusal: the range that applies, the deployment's cut by the rule", () => {
  const PROD_SHORT = { id: 'prod-short', maxDurationMs: 8 * 3_600_000 };
  const days = (n: number) => ({ durationMs: n * 86_400_000 });

  test('under a rule shorter than the deployment, its range is the one named, whatever the term', () => {
    expect(termRefusal(days(91), LIMITS, PROD_SHORT, '91d')).toEqual({
      code: 'policy.maxDuration',
      message: '91d is longer than the maximum access of 8h; choose a duration between 1h and 8h (rule prod-short).',
    });
    expect(termRefusal(days(30), LIMITS, PROD_SHORT)).toEqual({
      code: 'policy.maxDuration',
      message: '30d is longer than the maximum access of 8h; choose a duration between 1h and 8h (rule prod-short).',
    });
    expect(termRefusal({ durationMs: 0 }, LIMITS, PROD_SHORT)).toEqual({
      code: 'validation.duration',
      message: '0m is shorter than the minimum access of 1h; choose a duration between 1h and 8h (rule prod-short).',
    });
    expect(termRefusal({ permanent: true }, LIMITS, PROD_SHORT)?.message).toBe(
      'Permanent access is not allowed here; choose a duration between 1h and 8h (rule prod-short), e.g. --for 8h.',
    );
    expect(termRefusal({ permanent: true }, { ...LIMITS, allowPermanent: true }, PROD_SHORT)).toEqual({
      code: 'policy.maxDuration',
      message:
        'Rule prod-short allows no permanent access; choose a duration between 1h and 8h (rule prod-short), e.g. --for 8h.',
    });
    expect(termRefusal({ durationMs: 8 * 3_600_000 }, LIMITS, PROD_SHORT)).toBeUndefined();
  });

  test("a rule no shorter than the deployment: the deployment's range, without a rule named", () => {
    const wide = { id: 'wide', maxDurationMs: 365 * 86_400_000 };
    expect(termRefusal(days(91), LIMITS, wide)).toEqual({
      code: 'validation.duration',
      message: '91d is longer than the maximum access of 90d; choose a duration between 1h and 90d.',
    });
    expect(termRefusal(days(91), LIMITS, { id: 'open' })?.code).toBe('validation.duration');
    expect(termRefusal(days(90), LIMITS, { id: 'open' })).toBeUndefined();
  });

  test('without time-boxing only the rule limits a term', () => {
    expect(termRefusal(days(2), undefined, PROD_SHORT)?.message).toBe(
      '2d is longer than the maximum access of 8h; choose a duration of at most 8h (rule prod-short).',
    );
    expect(termRefusal({ permanent: true }, undefined, { id: 'open' })).toBeUndefined();
  });
});

describe('termPastLimitsNow: why an Approve is refused a term allowed when asked', () => {
  const DAY = 86_400_000;
  const now = { ...LIMITS, maxMs: 30 * DAY };
  const prod = { id: 'prod', maxDurationMs: 8 * 3_600_000 };

  test('a duration: who grants at most what now, the rule when it cuts the deployment', () => {
    expect(termPastLimitsNow({ durationMs: 30 * DAY }, now, prod)).toBe(
      'asks for 30d, but rule prod now grants at most 8h',
    );
    expect(termPastLimitsNow({ durationMs: 60 * DAY }, now)).toBe('asks for 60d, but acrbot now grants at most 30d');
    expect(termPastLimitsNow({ durationMs: 8 * 3_600_000 }, now, prod)).toBeUndefined();
  });

  test('permanent access: what no longer allows it, and the most granted now', () => {
    expect(termPastLimitsNow({ permanent: true }, now)).toBe(
      'asks for permanent access, but permanent access is no longer allowed here (acrbot now grants at most 30d)',
    );
    expect(termPastLimitsNow({ permanent: true }, { ...now, allowPermanent: true }, prod)).toBe(
      'asks for permanent access, but rule prod no longer allows permanent access (it now grants at most 8h)',
    );
  });
});

describe('describeTimeLeft', () => {
  test('whole units that have passed, in hours below two days, from the minute', () => {
    const hour = 3_600_000;
    expect([36 * hour, 60 * hour, 84 * hour, 36 * hour - 1_000, 48 * hour - 60_001, 0].map(describeTimeLeft)).toEqual([
      '36 hours',
      '2 days',
      '3 days',
      '36 hours',
      '47 hours',
      '1 minute',
    ]);
  });
});

describe('describeAccess', () => {
  test('granted: "until DATE UTC, 30 days"', () => {
    expect(
      describeAccess({
        state: 'succeeded',
        access: { durationMs: 30 * 86_400_000, expiresAt: '2027-01-04T10:00:00.000Z' },
      }),
    ).toBe('until 2027-01-04 10:00 UTC, 30 days');
  });
  test('being revoked: since when, not the end it had', () => {
    const term = {
      durationMs: 30 * 86_400_000,
      expiresAt: '2027-01-04T10:00:00.000Z',
      revokingSince: '2026-12-20T08:00:00.000Z',
    };
    expect(describeAccess({ state: 'succeeded', access: term })).toBe('being revoked since 2026-12-20 08:00 UTC');
    expect(describeAccess({ state: 'revoked', access: { ...term, revokedAt: '2026-12-20T08:01:00.000Z' } })).toMatch(
      /^Revoked at 2026-12-20 08:01 UTC/,
    );
  });
  test('before time-boxing, pending, permanent, expired, revoked by someone', () => {
    expect(describeAccess({ state: 'succeeded' })).toBe('no end (granted before acrbot gave access an end)');
    expect(describeAccess({ state: 'pending', access: { durationMs: 2 * 3_600_000 } })).toBe(
      '2 hours from when it is granted',
    );
    expect(describeAccess({ state: 'succeeded', access: { permanent: true } })).toBe('permanent (no expiry)');
    const ended = { durationMs: 60_000, expiresAt: '2027-01-04T10:00:00.000Z', revokedAt: '2027-01-04T10:00:30.000Z' };
    expect(
      describeAccess({ state: 'revoked', access: { ...ended, revokedBy: { objectId: 'acrbot', name: 'acrbot' } } }),
    ).toBe('Expired and revoked at 2027-01-04 10:00 UTC');
    expect(
      describeAccess({
        state: 'revoked',
        access: {
          ...ended,
          revokedAt: '2027-01-04T09:00:00.000Z',
          revokedBy: { objectId: 'x', name: 'Alex Approver' },
        },
      }),
    ).toBe('Revoked at 2027-01-04 09:00 UTC by Alex Approver');
  });
  test('a request that ended without its access says what was asked, never a term "from when it is granted"', () => {
    const asked = { durationMs: 30 * 86_400_000 };
    for (const state of ['rejected', 'cancelled', 'expired'] as const) {
      expect(describeAccess({ state, access: asked })).toBe('30 days (never granted)');
      expect(describeAccess({ state, access: { permanent: true } })).toBe('permanent (never granted)');
      // Made before time-boxing: nothing was asked, and it was not "granted before acrbot gave access an end".
      expect(describeAccess({ state })).toBe('never granted');
    }
    // A failed run: not granted (what it may have made, acrbot deletes again).
    expect(describeAccess({ state: 'failed', access: asked })).toBe('30 days (not granted)');
    expect(describeAccess({ state: 'failed', access: { permanent: true } })).toBe('permanent (not granted)');
    expect(describeAccess({ state: 'failed' })).toBe('not granted');
  });
  test('"from when it is granted" only while it still may be: pending, approved, executing', () => {
    const asked = { durationMs: 30 * 86_400_000 };
    // A term reaches `succeeded` with its end set, and `revoked` with when it was revoked: every
    // other state holds a term as it was asked for.
    const promising = REQUEST_STATES.filter((state) => state !== 'succeeded' && state !== 'revoked').filter((state) =>
      describeAccess({ state, access: asked }).endsWith('from when it is granted'),
    );
    expect(promising).toEqual(['pending', 'approved', 'executing']);
    // Access that was granted and revoked keeps its words: revocation is looked at first.
    const revokedAt = '2027-01-04T09:00:00.000Z';
    expect(
      describeAccess({ state: 'revoked', access: { ...asked, expiresAt: '2027-01-04T10:00:00.000Z', revokedAt } }),
    ).toBe('Revoked at 2027-01-04 09:00 UTC');
  });
  test('durations read the way people say them', () => {
    expect(describeDurationMs(84 * 86_400_000)).toBe('12 weeks');
    expect(describeDurationMs(14 * 86_400_000)).toBe('14 days');
    expect(describeDurationMs(365 * 86_400_000)).toBe('1 year');
    expect(describeDurationMs(120_000)).toBe('2 minutes');
  });
});

describe('describeAccess of a term recorded without a length', () => {
  // The record's type allows it (an end without a duration): no dangling comma, no empty length.
  test('an end only: "until DATE"', () => {
    expect(describeAccess({ state: 'succeeded', access: { expiresAt: '2027-01-04T10:00:00.000Z' } })).toBe(
      'until 2027-01-04 10:00 UTC',
    );
  });

  test('neither an end nor a length: as a term never given an end', () => {
    expect(describeAccess({ state: 'succeeded', access: {} })).toBe(
      'no end (granted before acrbot gave access an end)',
    );
  });
});

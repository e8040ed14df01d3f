/**
 * The exact edges of the term words and checks (domain/access-term.ts) that access-term.test.ts
 * passes between: the length a card names when a unit is just reached, which limit a waiting
 * request is refused under, and how a revocation that came at the very end reads.
 */
import {
  accessEndsAt,
  describeAccess,
  describeDurationMs,
  describeTimeLeft,
  parseAccessDuration,
  termPastLimitsNow,
} from '../../src/domain/access-term';
import type { AccessRequest } from '../../src/domain/request';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const LIMITS = { defaultMs: 30 * DAY, minMs: HOUR, maxMs: 90 * DAY, allowPermanent: false };

describe('describeDurationMs at the week boundary', () => {
  test('four weeks is the first length read in weeks; three weeks stays in days', () => {
    expect(describeDurationMs(28 * DAY)).toBe('4 weeks');
    expect(describeDurationMs(21 * DAY)).toBe('21 days');
  });
});

describe('describeTimeLeft when a unit is just reached', () => {
  test('exactly two days left reads as days, exactly an hour as an hour', () => {
    expect(describeTimeLeft(2 * DAY)).toBe('2 days');
    expect(describeTimeLeft(HOUR)).toBe('1 hour');
  });
});

describe('termPastLimitsNow edges', () => {
  const prod = { id: 'prod', maxDurationMs: 8 * HOUR };

  test('a term under a raised minimum can still be granted: it gives less access, not more', () => {
    expect(termPastLimitsNow({ durationMs: 30 * MINUTE }, LIMITS)).toBeUndefined();
  });

  test("a rule whose maxDuration equals the deployment's: acrbot is named, not the rule", () => {
    expect(termPastLimitsNow({ durationMs: 91 * DAY }, LIMITS, { id: 'same', maxDurationMs: 90 * DAY })).toBe(
      'asks for 91d, but acrbot now grants at most 90d',
    );
  });

  test('permanent refused by the settings under a shorter rule: the rule is named, not called "it"', () => {
    expect(termPastLimitsNow({ permanent: true }, LIMITS, prod)).toBe(
      'asks for permanent access, but permanent access is no longer allowed here (rule prod now grants at most 8h)',
    );
  });

  test('permanent without time-boxing, refused by a rule: its words, no crash on the absent limits', () => {
    expect(termPastLimitsNow({ permanent: true }, undefined, prod)).toBe(
      'asks for permanent access, but rule prod no longer allows permanent access (it now grants at most 8h)',
    );
  });
});

describe('parseAccessDuration edges', () => {
  test('a blank --for is the default term, not a refusal', () => {
    expect(parseAccessDuration('   ', LIMITS)).toEqual({ durationMs: LIMITS.defaultMs });
  });

  test('a 31-character term is echoed cut at 30', () => {
    expect(() => parseAccessDuration(`${'9'.repeat(30)}d`, LIMITS)).toThrow(/^9{30}… is longer than/);
  });
});

describe('describeAccess of a revocation at the end', () => {
  const at = '2027-01-04T10:00:00.000Z';
  const request = (access: AccessRequest['access']): Pick<AccessRequest, 'access' | 'state'> => ({
    state: 'revoked',
    access,
  });

  test("acrbot's revocation at the very minute of the end reads as the expiry", () => {
    expect(
      describeAccess(
        request({
          durationMs: DAY,
          expiresAt: at,
          revokedAt: at,
          revokedBy: { objectId: 'acrbot', name: 'acrbot' },
        }),
      ),
    ).toBe('Expired and revoked at 2027-01-04 10:00 UTC');
  });

  test('a person who revoked after the end is named, not hidden behind "Expired"', () => {
    expect(
      describeAccess(
        request({
          durationMs: DAY,
          expiresAt: at,
          revokedAt: '2027-01-04T10:05:00.000Z',
          revokedBy: { objectId: 'u-1', name: 'Ada' },
        }),
      ),
    ).toBe('Revoked at 2027-01-04 10:05 UTC by Ada');
  });
});

describe('accessEndsAt', () => {
  test('the end lies one term after the grant; none for permanent access', () => {
    const grantedAt = new Date('2027-01-04T10:00:00.000Z');
    expect(accessEndsAt({ durationMs: HOUR }, grantedAt)).toBe('2027-01-04T11:00:00.000Z');
    expect(accessEndsAt({ permanent: true }, grantedAt)).toBeUndefined();
  });
});

/**
 * Durations in the environment past what any setting may be, up to values no date can be moved
 * by (`99999999999999999999d` is 8.64e27 ms; 400 digits are Infinity): each refused, naming its
 * setting, and never blamed on another setting.
 */
import { loadConfig } from '../../src/config/config';
import { problemsOf } from './support/config-env';

const ABSURD = '99999999999999999999d';

describe('every duration setting has an upper bound', () => {
  test.each([
    'ACRBOT_APPROVAL_TTL',
    'ACRBOT_SECRET_MAX_EXPIRY',
    'ACRBOT_SWEEP_INTERVAL',
    'ACRBOT_LEASE_TTL',
    'ACRBOT_DRIFT_INTERVAL',
    'ACRBOT_DEFAULT_ACCESS_DURATION',
    'ACRBOT_MAX_ACCESS_DURATION',
    'ACRBOT_MIN_ACCESS_DURATION',
    'ACRBOT_EXPIRY_REMINDERS',
    'ACRBOT_AUDIT_ANCHOR_INTERVAL',
    'ACRBOT_TAB_INVENTORY_TTL',
    'ACRBOT_DIALOG_TTL',
  ])('%s: a value no date can be moved by is refused, naming the setting', (name) => {
    for (const value of [ABSURD, `${'9'.repeat(400)}d`]) {
      const problems = problemsOf({ [name]: value });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(new RegExp(`^${name}[: ]`));
    }
  });
});

describe('ACRBOT_EXPIRY_REMINDERS', () => {
  test('a reminder longer than any access or credential lasts (1y) is refused: it would never be sent', () => {
    expect(problemsOf({ ACRBOT_EXPIRY_REMINDERS: `7d,${ABSURD}` })).toEqual([
      `ACRBOT_EXPIRY_REMINDERS: ${ABSURD} before the end is longer than any access or credential lasts (at most 1y), so it would never be sent`,
    ]);
    expect(problemsOf({ ACRBOT_EXPIRY_REMINDERS: '366d' })).toEqual([
      expect.stringMatching(/^ACRBOT_EXPIRY_REMINDERS: 366d before the end is longer than/),
    ]);
    expect(loadConfig({ ACRBOT_EXPIRY_REMINDERS: '1y,7d' }).access.remindersMs).toEqual([
      365 * 86_400_000,
      7 * 86_400_000,
    ]);
  });

  test('a capital M in one of its durations is refused saying why, as the other duration settings say it', () => {
    expect(problemsOf({ ACRBOT_EXPIRY_REMINDERS: '1M' })).toEqual([
      'ACRBOT_EXPIRY_REMINDERS: `1M`: M is read as minutes here — write 30d for about a month, or 1m for a minute',
    ]);
    expect(problemsOf({ ACRBOT_EXPIRY_REMINDERS: '7d, 2M' })).toEqual([
      'ACRBOT_EXPIRY_REMINDERS: `2M`: M is read as minutes here — write 60d for about 2 months, or 2m for 2 minutes',
    ]);
    // Anything else that is no duration keeps its own words.
    expect(problemsOf({ ACRBOT_EXPIRY_REMINDERS: '7d,soon' })).toEqual([
      'ACRBOT_EXPIRY_REMINDERS: "soon" is not a duration; use e.g. 7d,1d (or none)',
    ]);
  });
});

describe('access durations out of bounds are blamed on themselves', () => {
  test('ACRBOT_MIN_ACCESS_DURATION above a year is named (not "longer than ACRBOT_MAX_ACCESS_DURATION")', () => {
    expect(problemsOf({ ACRBOT_MIN_ACCESS_DURATION: ABSURD })).toEqual([
      'ACRBOT_MIN_ACCESS_DURATION can be at most 1y (no access lasts longer: ACRBOT_MAX_ACCESS_DURATION)',
    ]);
  });

  test('minimum and maximum both absurd: both named, and the default (30d, valid) is not blamed', () => {
    expect(problemsOf({ ACRBOT_MIN_ACCESS_DURATION: ABSURD, ACRBOT_MAX_ACCESS_DURATION: `9${ABSURD}` })).toEqual([
      'ACRBOT_MIN_ACCESS_DURATION can be at most 1y (no access lasts longer: ACRBOT_MAX_ACCESS_DURATION)',
      'ACRBOT_MAX_ACCESS_DURATION can be at most 1y (use ACRBOT_ALLOW_PERMANENT for access without end)',
    ]);
  });

  test('a default beyond an absurd maximum is named too, not hidden behind it', () => {
    expect(problemsOf({ ACRBOT_MAX_ACCESS_DURATION: `9${ABSURD}`, ACRBOT_DEFAULT_ACCESS_DURATION: ABSURD })).toEqual([
      'ACRBOT_MAX_ACCESS_DURATION can be at most 1y (use ACRBOT_ALLOW_PERMANENT for access without end)',
      'ACRBOT_DEFAULT_ACCESS_DURATION must lie between ACRBOT_MIN_ACCESS_DURATION and ACRBOT_MAX_ACCESS_DURATION',
    ]);
  });

  test('min > default and default > max are still refused; the bounds themselves load', () => {
    expect(problemsOf({ ACRBOT_MIN_ACCESS_DURATION: '2h', ACRBOT_DEFAULT_ACCESS_DURATION: '1h' })).toEqual([
      'ACRBOT_DEFAULT_ACCESS_DURATION must lie between ACRBOT_MIN_ACCESS_DURATION and ACRBOT_MAX_ACCESS_DURATION',
    ]);
    expect(problemsOf({ ACRBOT_DEFAULT_ACCESS_DURATION: '91d' })).toEqual([
      'ACRBOT_DEFAULT_ACCESS_DURATION must lie between ACRBOT_MIN_ACCESS_DURATION and ACRBOT_MAX_ACCESS_DURATION',
    ]);
    expect(
      loadConfig({
        ACRBOT_MIN_ACCESS_DURATION: '1y',
        ACRBOT_MAX_ACCESS_DURATION: '1y',
        ACRBOT_DEFAULT_ACCESS_DURATION: '1y',
      }).access,
    ).toMatchObject({ minMs: 365 * 86_400_000, maxMs: 365 * 86_400_000, defaultMs: 365 * 86_400_000 });
  });
});

/**
 * The length a card shows beside an extended term's end ("until …, 55 days"): an extension moves
 * the end to when it was granted plus its term, to the millisecond, so the total is rarely a whole
 * number of minutes, let alone days. It must still read as people say it, not "79427 minutes".
 */
import { describeAccess, describeDurationMs } from '../../src/domain/access-term';
import { transition } from '../../src/domain/request';
import { pendingRequest } from './support/requests';

const DAY = 86_400_000;
const HOUR = 3_600_000;

describe('the length of an extended term', () => {
  test('a 30-day grant extended on day 25 by 30 days reads "about 55 days" beside its end', () => {
    const grantedAt = Date.parse('2026-11-30T10:00:00.123Z');
    const original = pendingRequest({
      id: 'R-AAAAAAAA',
      state: 'succeeded',
      access: { durationMs: 30 * DAY, expiresAt: new Date(grantedAt + 30 * DAY).toISOString() },
    });
    // The extension was granted on day 25 at 13:47:12.456: its end is 30 days after that.
    const extensionGrantedAt = grantedAt + 25 * DAY + 3 * HOUR + 47 * 60_000 + 12_333;
    const end = new Date(extensionGrantedAt + 30 * DAY).toISOString();
    const extended = transition(original, {
      type: 'extend',
      at: new Date(extensionGrantedAt),
      expiresAt: end,
      durationMs: Date.parse(end) - Date.parse(original.access!.expiresAt!),
      by: 'R-BBBBBBBB',
    });
    expect(describeAccess(extended)).toBe('until 2027-01-24 13:47 UTC, about 55 days');
  });

  test('lengths that are no whole unit are rounded in the largest unit that reads well', () => {
    expect(describeDurationMs(36 * HOUR + 1)).toBe('about 36 hours');
    expect(describeDurationMs(2 * DAY + 13 * HOUR + 1)).toBe('about 3 days');
    expect(describeDurationMs(90 * 60_000 + 20_000)).toBe('about 90 minutes');
    expect(describeDurationMs(20_000)).toBe('less than a minute');
    // Whole units keep their exact words.
    expect(describeDurationMs(55 * DAY)).toBe('55 days');
    expect(describeDurationMs(90 * 60_000)).toBe('90 minutes');
  });
});

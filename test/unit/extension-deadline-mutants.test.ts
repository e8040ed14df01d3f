/**
 * closedWithOriginal and originalLostAtExpiry (extension-deadline.ts), from breaking them: which
 * expired extension sends its requester to a new request (its original ended, or drifted) and
 * which to `extend` again, at each edge of the times it compares.
 */
import { closedWithOriginal, originalLostAtExpiry } from '../../src/domain/extension-deadline';
import type { AccessRequest } from '../../src/domain/request';
import { HOUR } from './support/fake-clock';

const T = Date.parse('2026-03-02T12:00:00.000Z');
const at = (hours: number) => new Date(T + hours * HOUR).toISOString();

type Expired = Parameters<typeof originalLostAtExpiry>[0];

/** An extension of R-ORIGINA1 whose own deadline is T, closed at `closedAt` (default: at T, by its expiry job). */
function extension(overrides: Partial<AccessRequest> = {}): Expired {
  return {
    state: 'expired',
    extendsRequestId: 'R-2AAAAAA2',
    expiresAt: at(0),
    updatedAt: at(0),
    ...overrides,
  };
}

describe('closedWithOriginal', () => {
  test('an extension its approval TTL closed while the end recorded when filed was still ahead: extend still works', () => {
    const ttlClosed = extension({ extendsAccess: { endsAt: at(5), extendedTimes: 0 } });
    expect(closedWithOriginal(ttlClosed)).toBe(false);
    expect(originalLostAtExpiry(ttlClosed)).toBeUndefined();
  });

  test('closed exactly at the end recorded when it was filed: closed with it', () => {
    const r = extension({ expiresAt: at(-1), updatedAt: at(0), extendsAccess: { endsAt: at(0), extendedTimes: 0 } });
    expect(closedWithOriginal(r)).toBe(true);
  });

  test('marked as closed with its original, whenever it ran: closed with it', () => {
    const r = extension({ updatedAt: at(3), originalEnded: true });
    expect(closedWithOriginal(r)).toBe(true);
    expect(originalLostAtExpiry(r)).toBe('ended');
  });

  test('closed before its own deadline (only the close at the original end does that): closed with it', () => {
    expect(closedWithOriginal(extension({ updatedAt: at(-2) }))).toBe(true);
  });

  test('closed exactly at its own deadline, no end recorded: its expiry job, not the original end', () => {
    expect(closedWithOriginal(extension({ updatedAt: at(0) }))).toBe(false);
  });

  test('recorded as still running when it expired (went on, or drifted): not closed with it, whatever the times say', () => {
    // Closed before its own deadline and at the end recorded when filed: the times alone would say it was.
    const times = { updatedAt: at(-2), extendsAccess: { endsAt: at(-2), extendedTimes: 0 } };
    expect(closedWithOriginal(extension({ ...times, originalWentOn: true }))).toBe(false);
    expect(originalLostAtExpiry(extension({ ...times, originalWentOn: true }))).toBeUndefined();
    expect(closedWithOriginal(extension({ ...times, originalDrifted: true }))).toBe(false);
    expect(originalLostAtExpiry(extension({ ...times, originalDrifted: true }))).toBe('drifted');
  });

  test('a request that is not an expired extension never closed with an original', () => {
    expect(closedWithOriginal(extension({ state: 'pending', originalEnded: true }))).toBe(false);
    expect(closedWithOriginal(extension({ state: 'rejected', updatedAt: at(-2) }))).toBe(false);
    expect(closedWithOriginal(extension({ extendsRequestId: undefined, originalEnded: true }))).toBe(false);
    expect(closedWithOriginal(extension({ extendsRequestId: undefined, updatedAt: at(-2) }))).toBe(false);
  });
});

describe('originalLostAtExpiry', () => {
  test('ended comes before drifted: an original that ended is said to have ended', () => {
    expect(originalLostAtExpiry(extension({ originalEnded: true, originalDrifted: true }))).toBe('ended');
  });

  test('drifted, for an expired extension only', () => {
    expect(originalLostAtExpiry(extension({ originalDrifted: true }))).toBe('drifted');
    expect(originalLostAtExpiry(extension({ state: 'pending', originalDrifted: true }))).toBeUndefined();
    expect(originalLostAtExpiry(extension({ extendsRequestId: undefined, originalDrifted: true }))).toBeUndefined();
  });
});

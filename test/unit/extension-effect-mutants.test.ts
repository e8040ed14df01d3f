/**
 * Edges of a pending extension's effect (domain/pending-extension.ts) and of whether an expired
 * extension closed with its original (domain/extension-deadline.ts), each pinned where a
 * mutation test found it unchecked.
 */
import { closedWithOriginal } from '../../src/domain/extension-deadline';
import { pendingExtensionEffect } from '../../src/domain/pending-extension';
import { HOUR } from './support/fake-clock';
import { pendingRequest } from './support/requests';

const FILED = '2025-01-15T09:00:00.000Z';
const at = (hoursAfterFiling: number) => new Date(Date.parse(FILED) + hoursAfterFiling * HOUR).toISOString();

/** A pending extension of R-ORIGINAL1 filed at FILED for `termHours`, its original ending at `endsAt`. */
const extension = (termHours: number, endsAt: string) =>
  pendingRequest({
    id: 'R-EXTEND01',
    createdAt: FILED,
    extendsRequestId: 'R-ORIGINAL1',
    extendsAccess: { endsAt, extendedTimes: 0 },
    access: { durationMs: termHours * HOUR },
  });

describe('pendingExtensionEffect at its edges', () => {
  test('a term that, approved at once, ends exactly when the original does adds nothing: no "Would end"', () => {
    expect(pendingExtensionEffect(extension(48, at(48)))).toEqual({ endsAt: at(48) });
  });

  test('the term after approval is said as asked ("90 hours"), not rounded as time left is', () => {
    expect(pendingExtensionEffect(extension(90, at(1)))?.wouldEnd).toBe(
      'at least 3 days later (90 hours after approval)',
    );
  });
});

describe('closedWithOriginal at its edges', () => {
  test("an extension filed before its original's end was recorded, closed before its own deadline, closed with it", () => {
    const closed = pendingRequest({
      id: 'R-EXTEND02',
      state: 'expired',
      createdAt: FILED,
      expiresAt: at(24),
      updatedAt: at(5),
      extendsRequestId: 'R-ORIGINAL1',
    });
    expect(closedWithOriginal(closed)).toBe(true);
    // Its own deadline closed it: the original may still run.
    expect(closedWithOriginal({ ...closed, updatedAt: at(24) })).toBe(false);
  });
});

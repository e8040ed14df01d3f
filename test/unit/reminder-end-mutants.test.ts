/**
 * reminderEnd (reminder-end.ts), from breaking it: a permanent grant, which never ends, has
 * nothing to be reminded of; a permanent pull secret is reminded of its credential's expiry.
 */
import type { AccessRequest } from '../../src/domain/request';
import { reminderEnd } from '../../src/flows/reminder-end';
import { pendingRequest, secretPlan } from './support/requests';

const succeeded = (access: AccessRequest['access'], plan?: AccessRequest['plan']): AccessRequest =>
  pendingRequest({ state: 'succeeded', access, ...(plan && { plan }) });

test('a permanent grant has no end to remind of', () => {
  expect(reminderEnd(succeeded({ permanent: true }))).toBeUndefined();
});

test("a permanent pull secret is reminded of its credential's expiry", () => {
  const plan = secretPlan({ expiresAt: '2025-06-01T00:00:00.000Z' });
  expect(reminderEnd(succeeded({ permanent: true }, plan))).toEqual({
    at: '2025-06-01T00:00:00.000Z',
    credential: true,
  });
});

test("a timed grant is reminded of its term's end", () => {
  expect(reminderEnd(succeeded({ durationMs: 1, expiresAt: '2025-02-13T10:00:00.000Z' }))).toEqual({
    at: '2025-02-13T10:00:00.000Z',
    credential: false,
  });
});

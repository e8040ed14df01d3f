/**
 * At the very instant of its end, granted access is due and no longer active (flows/access-term.ts):
 * both at once would let a grant ending now count as a holder that keeps a shared role assignment
 * (role-assignment-holders.ts) while its own end job revokes it.
 */
import { isActive, isDue } from '../../src/flows/access-term';
import type { AccessRequest } from '../../src/domain/request';

const END = '2027-01-04T10:00:00.000Z';

function granted(access: AccessRequest['access']): AccessRequest {
  return { state: 'succeeded', access } as AccessRequest;
}

describe('isActive and isDue around the end', () => {
  test('at the end: due, not active', () => {
    const request = granted({ durationMs: 3_600_000, expiresAt: END });
    expect(isDue(request, new Date(END))).toBe(true);
    expect(isActive(request, new Date(END))).toBe(false);
  });

  test('a millisecond before: active, not due', () => {
    const request = granted({ durationMs: 3_600_000, expiresAt: END });
    const before = new Date(Date.parse(END) - 1);
    expect(isDue(request, before)).toBe(false);
    expect(isActive(request, before)).toBe(true);
  });

  test('permanent access is never due, and active', () => {
    const request = granted({ permanent: true });
    expect(isDue(request, new Date(END))).toBe(false);
    expect(isActive(request, new Date(END))).toBe(true);
  });
});

/**
 * An end revoked more than LATE_END_AFTER_MS after it was due says when it was due and how late
 * it came (the requester's notice, the `access.expired` entry); one on time says nothing more.
 */
import { LATE_END_AFTER_MS, lateEndWords } from '../../src/domain/late-end';
import { requesterNewsCard } from '../../src/views/lifecycle-view';
import { ACRBOT_ACTOR, type AccessRequest } from '../../src/domain/request';

const due = '2026-11-30T17:00:00.000Z';
const at = (ms: number) => new Date(Date.parse(due) + ms).toISOString();

describe('lateEndWords', () => {
  test('on time, within the allowance, or without an end or a revocation: nothing', () => {
    expect(lateEndWords({ expiresAt: due, revokedAt: at(15_000) } as AccessRequest['access'])).toBeUndefined();
    expect(
      lateEndWords({ expiresAt: due, revokedAt: at(LATE_END_AFTER_MS) } as AccessRequest['access']),
    ).toBeUndefined();
    expect(lateEndWords({ revokedAt: at(60 * 60_000) } as AccessRequest['access'])).toBeUndefined();
    expect(lateEndWords({ expiresAt: due } as AccessRequest['access'])).toBeUndefined();
    expect(lateEndWords(undefined)).toBeUndefined();
  });

  test('late: when it was due and how late, in whole units passed', () => {
    expect(lateEndWords({ expiresAt: due, revokedAt: at(9 * 60_000 + 50_000) } as AccessRequest['access'])).toBe(
      'due 17:00 UTC; ended 9 min late',
    );
    expect(lateEndWords({ expiresAt: due, revokedAt: at(185 * 60_000) } as AccessRequest['access'])).toBe(
      'due 17:00 UTC; ended 3 h 5 min late',
    );
    // Due on another day than it was revoked: the date too.
    expect(lateEndWords({ expiresAt: due, revokedAt: at(50 * 60 * 60_000) } as AccessRequest['access'])).toBe(
      'due 2026-11-30 17:00 UTC; ended 2 days 2 h late',
    );
  });
});

test('the requester\u2019s end notice of a late end says when it was due', () => {
  const request = {
    id: 'R-7K2M9QXA',
    state: 'revoked',
    sandbox: false,
    requester: { objectId: 'u1', name: 'Riley Requester' },
    plan: {
      kind: 'grant',
      cluster: { name: 'aks-prod' },
      registry: { name: 'contosoacr' },
      role: 'AcrPull',
    },
    access: { expiresAt: due, revokedAt: at(12 * 60_000) },
    createdAt: at(-8 * 60 * 60_000),
    updatedAt: at(12 * 60_000),
  } as unknown as AccessRequest;
  const text = JSON.stringify(requesterNewsCard(request, { kind: 'ended', by: ACRBOT_ACTOR, expired: true }));
  expect(text).toContain('was revoked at 2026-11-30 17:12 UTC (due 17:00 UTC; ended 12 min late).');
});

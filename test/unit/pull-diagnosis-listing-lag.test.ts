/**
 * `check` on an acrbot grant that Azure's listing does not show, granted less than
 * LISTING_LAG_GRACE_MS ago (src/domain/listing-lag.ts): the listing may not show its new role
 * assignment yet, so `check` says that, and to check again, rather than "removed outside acrbot"
 * and a second grant. Granted longer ago (its reference then carries no grant time), or recorded
 * as drift, it reads removed as before.
 */
import type { AcrbotRequestRef, EndedGrantPath } from '../../src/domain/access-inventory';
import { LISTING_LAG_GRACE_MS } from '../../src/domain/listing-lag';
import { cell, diagnose, NOW, registry } from './support/pull-diagnosis-fixtures';

const MINUTE = 60_000;
const before = (ms: number) => new Date(NOW.getTime() - ms).toISOString();

/**
 * acrbot's AcrPull grant R-AAAAAAAA, granted `grantedAgo` ms before NOW, missing from the listing
 * as `check` saw it; its reference carries the grant time only within the grace, as requestRef's does.
 */
function missing(grantedAgo: number, over: Partial<AcrbotRequestRef> = {}): EndedGrantPath {
  return {
    kind: 'endedGrant',
    assignmentId: `${registry.id}/providers/Microsoft.Authorization/roleAssignments/1`,
    roleName: 'AcrPull',
    scope: registry.id,
    request: {
      requestId: 'R-AAAAAAAA',
      requesterName: 'Riley',
      requesterId: 'r',
      approvedBy: 'Alex',
      approvedAt: before(grantedAgo + MINUTE),
      ...(grantedAgo < LISTING_LAG_GRACE_MS && { grantedAt: before(grantedAgo) }),
      expiresAt: '2027-01-04T00:00:00Z',
      state: 'drifted',
      driftReason: 'deleted',
      termState: 'active',
      ...over,
    },
    state: 'drifted',
  };
}

const check = (path: EndedGrantPath) => diagnose({ cell: { ...cell([path]), state: 'drifted', canPull: false } });

test('granted 2 minutes ago: not listed yet, check again; no "removed", no second grant', () => {
  const d = check(missing(2 * MINUTE));
  expect(d.findings).toContainEqual({
    topic: 'drift',
    level: 'warn',
    text: "acrbot's grant R-AAAAAAAA (AcrPull) is not in Azure's listing of role assignments yet: it was granted 2026-12-31 23:58 UTC, and Azure can take some minutes to list a new one. acrbot looks again later.",
  });
  expect(d.findings.find((f) => f.topic === 'role')?.level).toBe('warn');
  expect(d.verdict).toBe(
    'acrbot cannot tell yet whether aks-prod can pull from contosoacr: Azure does not list the role acrbot granted in R-AAAAAAAA yet.',
  );
  expect(d.fix).toBe('Check again in a few minutes: @acrbot check aks-prod contosoacr');
});

test('granted as long ago as the grace: removed outside acrbot, and a grant is the fix', () => {
  const d = check(missing(LISTING_LAG_GRACE_MS));
  expect(d.findings.map((f) => f.text)).toContain(
    "acrbot's grant R-AAAAAAAA (AcrPull) was removed outside acrbot; acrbot does not re-create it.",
  );
  expect(d.findings.find((f) => f.topic === 'role')?.level).toBe('fail');
  expect(d.verdict).toBe(
    "aks-prod cannot pull from contosoacr: its identity has no role that carries pull on the registry, and acrbot's pull secrets give none (pull secrets and tokens made outside acrbot are not checked).",
  );
  expect(d.fix).toBe('@acrbot grant aks-prod contosoacr REASON…');
});

test('recorded as drift (the sweep confirmed it): removed, however recent the grant', () => {
  const d = check(missing(2 * MINUTE, { driftDetectedAt: before(MINUTE) }));
  expect(d.findings.map((f) => f.text)).toContain(
    "acrbot's grant R-AAAAAAAA (AcrPull) was removed outside acrbot on 2026-12-31 23:59 UTC; acrbot does not re-create it.",
  );
  expect(d.fix).toBe('@acrbot grant aks-prod contosoacr REASON…');
});

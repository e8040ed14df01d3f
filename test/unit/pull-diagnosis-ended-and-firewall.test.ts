/**
 * `check` on a grant past its end that acrbot has not removed yet, on a firewall with IP rules
 * and private endpoints, and on a pull secret listed on a service account.
 */
import type { PullSecretPath, RoleAssignmentPath } from '../../src/domain/access-inventory';
import { acrPullOnRegistry, cell, diagnose, open } from './support/pull-diagnosis-fixtures';

const ref = {
  requestId: 'R-AAAAAAAA',
  requesterName: 'Riley',
  requesterId: 'r',
  approvedBy: 'Alex',
  expiresAt: '2026-12-31T12:00:00Z',
  state: 'expired' as const,
};

/** The acrbot AcrPull assignment of request R-AAAAAAAA, past its end; `over` changes any of it. */
const role = (over: Partial<RoleAssignmentPath> = {}): RoleAssignmentPath =>
  acrPullOnRegistry({ requests: [ref], state: 'expired', ...over });

test('a grant past its end acrbot has not removed yet: it ended, and acrbot is removing it (not "no end date")', () => {
  const d = diagnose({ cell: cell([role()]) });
  expect(d.canPull).toBe(true);
  expect(d.findings).toContainEqual({
    topic: 'expiry',
    level: 'warn',
    text: 'Role-based pull ended 2026-12-31 12:00 UTC; acrbot is removing it.',
  });
  expect(d.findings.map((f) => f.text)).not.toContain('Role-based pull has no end date.');
  expect(d.fix).toBe('To keep pulling after acrbot removes it: @acrbot grant aks-prod contosoacr REASON…');
});

test('the same assignment also granted outside acrbot keeps no end', () => {
  const d = diagnose({ cell: cell([role(), role({ origin: 'outside', requests: [], assignmentId: 'other' })]) });
  expect(d.findings).toContainEqual({ topic: 'expiry', level: 'ok', text: 'Role-based pull has no end date.' });
});

test('firewall with IP rules and private endpoints: the nodes may come through an endpoint, and the verdict does not hang on the IP', () => {
  const d = diagnose({
    network: { ...open, defaultAction: 'Deny', ipRuleCount: 2, privateEndpoints: 1 },
    cell: cell([role({ origin: 'outside', requests: [], state: 'active' })]),
  });
  expect(d.findings).toContainEqual({
    topic: 'network',
    level: 'warn',
    text: "The registry firewall denies by default and allows 2 IP ranges; the cluster's outbound IP must be one of them (acrbot cannot see it), or the nodes must reach contosoacr through its private endpoint: the cluster's network must resolve contosoacr.azurecr.io and its data endpoints (contosoacr.REGION.data.azurecr.io, one per replica region) to it.",
  });
  expect(d.verdict).toBe('aks-prod can pull from contosoacr: AcrPull on the registry itself — granted outside acrbot.');
});

test('firewall with IP rules and no private endpoint: the IP is the only way in', () => {
  const d = diagnose({
    network: { ...open, defaultAction: 'Deny', ipRuleCount: 1 },
    cell: cell([role({ origin: 'outside', requests: [], state: 'active' })]),
  });
  expect(d.verdict).toContain(', if its outbound IP is allowed by the firewall');
  expect(d.findings.find((f) => f.topic === 'network')?.text).toBe(
    "The registry firewall denies by default and allows 1 IP range; the cluster's outbound IP must be one of them (acrbot cannot see it).",
  );
});

test('a pull secret listed on a service account: pods running as it use it without referencing it', () => {
  const secret: PullSecretPath = {
    kind: 'pullSecret',
    namespace: 'payments',
    secretName: 'acr-auth',
    credentialKind: 'token',
    serviceAccounts: ['default'],
    request: { ...ref, expiresAt: '2027-01-20T00:00:00Z', state: 'active' },
    state: 'active',
  };
  const d = diagnose({ cell: cell([secret]) });
  expect(d.findings.find((f) => f.topic === 'secret')?.text).toContain(
    'only pods in that namespace that reference it (or run as service account default) use it.',
  );
  expect(d.verdict).toContain(
    'Pods that reference pull secret acr-auth in namespace payments (or run as service account default) can pull through it.',
  );
});

/** `check`'s diagnosis: verdict and fix for each reason a pull works or fails. */
import type { RoleAssignmentPath } from '../../src/domain/access-inventory';
import { acrPullOnRegistry, cell, diagnose, open, registry } from './support/pull-diagnosis-fixtures';

/** AcrPull on the registry for acrbot request R-AAAAAAAA, ending within days (expiring). */
function role(over: Partial<RoleAssignmentPath> = {}): RoleAssignmentPath {
  return acrPullOnRegistry({
    requests: [
      {
        requestId: 'R-AAAAAAAA',
        requesterName: 'Riley',
        requesterId: 'r',
        approvedBy: 'Alex',
        expiresAt: '2027-01-03T00:00:00Z',
        state: 'expiring',
      },
    ],
    state: 'expiring',
    ...over,
  });
}

test('a grant being revoked: still pulls, says so, and the fix is to ask again, not to extend it', () => {
  const revoking = { ...role().requests[0]!, revokingSince: '2026-12-31T23:00:00Z' };
  const d = diagnose({ cell: cell([role({ requests: [revoking] })]) });
  expect(d.canPull).toBe(true);
  expect(d.verdict).toContain('acrbot request R-AAAAAAAA (approved by Alex, being revoked since 2026-12-31 23:00 UTC)');
  expect(d.findings).toContainEqual({
    topic: 'expiry',
    level: 'warn',
    text: 'acrbot request R-AAAAAAAA is being revoked (since 2026-12-31 23:00 UTC).',
  });
  expect(d.fix).toBe('To keep pulling after the revocation: @acrbot grant aks-prod contosoacr REASON…');

  expect(d.findings).toContainEqual({
    topic: 'expiry',
    level: 'warn',
    text: 'Role-based pull ends when acrbot has finished revoking it.',
  });

  // Past its end (an expiry whose revocation keeps failing) the request reads "expired": still ending.
  const expiring = { ...revoking, state: 'expired' as const, expiresAt: '2026-12-31T22:00:00Z' };
  const past = diagnose({ cell: cell([role({ requests: [expiring] })]) });
  expect(past.fix).toBe(d.fix);
  expect(past.findings).toContainEqual({
    topic: 'expiry',
    level: 'warn',
    text: 'Role-based pull ends when acrbot has finished revoking it.',
  });

  // An earlier request on the same assignment, long revoked, holds nothing: still "ask again".
  const old = {
    ...role().requests[0]!,
    requestId: 'R-CCCCCCCC',
    state: 'revoked' as const,
    expiresAt: '2026-11-01T00:00:00Z',
  };
  expect(diagnose({ cell: cell([role({ requests: [old, revoking] })]) }).fix).toBe(d.fix);
});

test('a grant being revoked on an assignment another request holds: the pull ends with that one, which is the one to extend', () => {
  const revoking = { ...role().requests[0]!, expiresAt: '2027-01-21T00:00:00Z', revokingSince: '2026-12-31T23:00:00Z' };
  const other = { ...role().requests[0]!, requestId: 'R-BBBBBBBB', expiresAt: '2027-01-03T00:00:00Z' };
  const d = diagnose({ cell: cell([role({ requests: [revoking, other] })]) });
  expect(d.findings).toContainEqual({
    topic: 'expiry',
    level: 'warn',
    text: 'Role-based pull ends 2027-01-03 00:00 UTC.',
  });
  expect(d.fix).toBe('Extend before it ends: @acrbot extend R-BBBBBBBB REASON…');
});

test('no role: cannot pull, fix is the grant command', () => {
  const d = diagnose({});
  expect(d.canPull).toBe(false);
  expect(d.verdict).toBe(
    "aks-prod cannot pull from contosoacr: its identity has no role that carries pull on the registry, and acrbot's pull secrets give none (pull secrets and tokens made outside acrbot are not checked).",
  );
  expect(d.fix).toBe('@acrbot grant aks-prod contosoacr REASON…');
});

test('an acrbot grant ending within 7 days: can pull, fix is to extend that request', () => {
  const d = diagnose({ cell: cell([role()]) });
  expect(d.canPull).toBe(true);
  expect(d.verdict).toContain('acrbot request R-AAAAAAAA (approved by Alex, until 2027-01-03 00:00 UTC)');
  expect(d.fix).toBe('Extend before it ends: @acrbot extend R-AAAAAAAA REASON…');
  expect(d.findings.find((f) => f.topic === 'expiry')?.level).toBe('warn');
});

test('granted outside acrbot at resource-group scope: can pull, no end, nothing to fix', () => {
  const d = diagnose({
    cell: cell([role({ origin: 'outside', requests: [], scopeLevel: 'resourceGroup', state: 'active' })]),
  });
  expect(d.verdict).toBe('aks-prod can pull from contosoacr: AcrPull on its resource group — granted outside acrbot.');
  expect(d.fix).toBeUndefined();
});

test('public access disabled without a private endpoint: unreachable, whatever the roles', () => {
  const d = diagnose({ cell: cell([role()]), network: { ...open, publicNetworkAccess: 'Disabled' } });
  expect(d.canPull).toBe(false);
  expect(d.verdict).toContain('cannot be reached from any network');
});

test('public access disabled with a private endpoint: can pull, network is a warning', () => {
  const d = diagnose({
    cell: cell([role()]),
    network: { ...open, publicNetworkAccess: 'Disabled', privateEndpoints: 1 },
  });
  expect(d.canPull).toBe(true);
  expect(d.findings.find((f) => f.topic === 'network')).toMatchObject({ level: 'warn' });
});

test('firewall default Deny: the verdict says it depends on the outbound IP', () => {
  const d = diagnose({ cell: cell([role()]), network: { ...open, defaultAction: 'Deny', ipRuleCount: 2 } });
  expect(d.verdict).toContain('if its outbound IP is allowed by the firewall');
});

test('firewall default Deny with no IP rule and no private endpoint: unreachable, not "if its outbound IP is allowed"', () => {
  // "Selected networks" with none selected: the default action applies to every public address.
  const d = diagnose({ cell: cell([role()]), network: { ...open, defaultAction: 'Deny', ipRuleCount: 0 } });
  expect(d.canPull).toBe(false);
  expect(d.findings.find((f) => f.topic === 'network')).toMatchObject({ level: 'fail' });
  expect(d.verdict).toBe('aks-prod cannot pull from contosoacr: the registry cannot be reached from any network.');
  expect(d.fix).toContain('add an IP rule for');
});

test('firewall default Deny with no IP rule but a private endpoint: only through the endpoint', () => {
  const d = diagnose({
    cell: cell([role()]),
    network: { ...open, defaultAction: 'Deny', ipRuleCount: 0, privateEndpoints: 1 },
  });
  expect(d.canPull).toBe(true);
  expect(d.findings.find((f) => f.topic === 'network')).toMatchObject({
    level: 'warn',
    text: expect.stringContaining('through its private endpoint:'),
  });
  expect(d.verdict).not.toContain('outbound IP');
});

test('anonymous pull: can pull without a role', () => {
  const d = diagnose({ network: { ...open, anonymousPullEnabled: true } });
  expect(d.canPull).toBe(true);
  expect(d.verdict).toContain('because anonymous pull is enabled');
  // Under a "can pull" verdict, having no role is information, not a ✗ problem.
  expect(d.findings.find((f) => f.text.startsWith('No role assignment'))).toMatchObject({ level: 'info' });
  // Without anonymous pull it is the problem.
  expect(diagnose({}).findings.find((f) => f.text.startsWith('No role assignment'))).toMatchObject({ level: 'fail' });
});

test.each([
  [
    'a firewall with IP rules',
    { defaultAction: 'Deny', ipRuleCount: 1 },
    'if its outbound IP is allowed by the firewall',
  ],
  [
    'public access closed, a private endpoint',
    { publicNetworkAccess: 'Disabled', privateEndpoints: 1 },
    'if its nodes reach it through a private endpoint',
  ],
])('anonymous pull behind %s: the condition comes after the reason', (_name, network, condition) => {
  const d = diagnose({ network: { ...open, ...network, anonymousPullEnabled: true } });
  expect(d.verdict).toBe(
    `aks-prod can pull from contosoacr because anonymous pull is enabled, not through a role, ${condition}.`,
  );
});

test.each(['none', 'block'])(
  'outbound type %s: a registry with no private endpoint is reached only through a path the network gives, one with an endpoint through it',
  (outboundType) => {
    const pulls = cell([acrPullOnRegistry()]);
    const without = diagnose({ cell: pulls, outboundType });
    expect(without.verdict).toMatch(
      /^aks-prod can pull from contosoacr, if its network gives its nodes a path to it: /,
    );
    expect(without.verdict).not.toContain('private endpoint');
    const withOne = diagnose({ cell: pulls, outboundType, network: { ...open, privateEndpoints: 1 } });
    expect(withOne.verdict).toMatch(
      /^aks-prod can pull from contosoacr, if its nodes reach it through a private endpoint: /,
    );
  },
);

test('ABAC registry with AcrPull: not honoured, grant gives Repository Reader', () => {
  const abac = { ...registry, roleAssignmentMode: 'AbacRepositoryPermissions' as const };
  const d = diagnose({
    registry: abac,
    cell: { ...cell([role({ honoured: false })]), registry: abac, canPull: false },
  });
  expect(d.canPull).toBe(false);
  expect(d.findings.find((f) => f.topic === 'abac')).toMatchObject({ level: 'fail' });
  expect(d.fix).toContain('Container Registry Repository Reader');
});

test('no identity: a pull secret is the way', () => {
  const d = diagnose({
    identity: undefined,
    identityProblem: 'Cluster aks-prod has neither a managed identity nor a service principal.',
  });
  expect(d.canPull).toBe(false);
  expect(d.fix).toBe('Use a pull secret instead: @acrbot secret aks-prod contosoacr --namespace NAMESPACE REASON…');
  // The problem is a sentence of its own: one full stop, not "..".
  expect(d.verdict).toBe(
    "aks-prod cannot pull from contosoacr with a node identity: Cluster aks-prod has neither a managed identity nor a service principal, and acrbot's pull secrets give none (pull secrets and tokens made outside acrbot are not checked).",
  );
  expect(diagnose({ identity: undefined, identityProblem: 'no kubelet identity' }).verdict).toMatch(
    /: no kubelet identity, and [^.]*\.$/,
  );
});

test('a drifted grant says why it no longer gives pull, not "removed", when its assignment is intact', () => {
  const ended = (driftReason?: 'identityChanged' | 'modeChanged' | 'deleted') => ({
    kind: 'endedGrant' as const,
    assignmentId: `${registry.id}/providers/Microsoft.Authorization/roleAssignments/1`,
    roleName: 'AcrPull',
    scope: registry.id,
    state: 'drifted' as const,
    request: {
      ...role().requests[0]!,
      state: 'drifted' as const,
      driftDetectedAt: '2026-12-30T08:00:00Z',
      driftReason,
    },
  });
  const drift = (reason?: 'identityChanged' | 'modeChanged' | 'deleted') =>
    diagnose({ cell: cell([ended(reason)]) }).findings.find((f) => f.topic === 'drift')?.text;
  expect(drift('identityChanged')).toBe(
    "acrbot's grant R-AAAAAAAA (AcrPull) no longer gives pull: the cluster pulls as another identity now (noticed 2026-12-30 08:00 UTC); acrbot does not grant the new identity.",
  );
  expect(drift('modeChanged')).toBe(
    "acrbot's grant R-AAAAAAAA (AcrPull) no longer gives pull: the registry's role assignment mode changed and ignores this role (noticed 2026-12-30 08:00 UTC); acrbot does not assign the role the new mode honours.",
  );
  expect(drift('deleted')).toBe(
    "acrbot's grant R-AAAAAAAA (AcrPull) was removed outside acrbot on 2026-12-30 08:00 UTC; acrbot does not re-create it.",
  );
});

/**
 * `check` on a registry nothing can reach: the verdict is "cannot pull", so nothing under it reads
 * as a yes (the roles' end is context, anonymous pull says nothing reaches it), and the fix for a
 * firewall that denies everything names every way in, virtual network rules included.
 */
import { checkCard } from '../../src/views/access-view';
import { acrPullOnRegistry, cell, diagnose, open } from './support/pull-diagnosis-fixtures';

const live = {
  requestId: 'R-AAAAAAAA',
  requesterName: 'Riley',
  requesterId: 'r',
  approvedBy: 'Alex',
  expiresAt: '2027-01-03T10:00:00Z',
  state: 'active' as const,
};
const disabledAnonymous = { ...open, publicNetworkAccess: 'Disabled', anonymousPullEnabled: true };

test('unreachable: the role\'s end is information ("AcrPull\'s access ends …"), not a ✓ "Role-based pull ends"', () => {
  const d = diagnose({ cell: cell([acrPullOnRegistry({ requests: [live] })]), network: disabledAnonymous });
  expect(d.canPull).toBe(false);
  const expiry = d.findings.filter((f) => f.topic === 'expiry');
  expect(expiry).toEqual([{ topic: 'expiry', level: 'info', text: "AcrPull's access ends 2027-01-03 10:00 UTC." }]);
  // Rendered: nothing under the red verdict says role-based pull ends.
  const card = JSON.stringify(checkCard(d, false));
  expect(card).not.toContain('Role-based pull');
  // The role itself is right, but under "cannot pull" it is context, not a ✓.
  expect(d.findings.filter((f) => f.topic === 'role').map((f) => f.level)).toEqual(['info']);
});

test('unreachable with anonymous pull: the anonymous line says nothing can reach it now', () => {
  const d = diagnose({ network: disabledAnonymous });
  expect(d.findings).toContainEqual({
    topic: 'anonymous',
    level: 'info',
    text: 'Anonymous pull is enabled: anyone who can reach contosoacr.azurecr.io can pull without a role (nothing can reach it now).',
  });
});

test('reachable with anonymous pull: no "nothing can reach it" aside, and the role\'s end keeps its warning (it ends within days)', () => {
  const d = diagnose({
    cell: cell([acrPullOnRegistry({ requests: [live] })]),
    network: { ...open, anonymousPullEnabled: true },
  });
  expect(d.findings).toContainEqual({
    topic: 'anonymous',
    level: 'info',
    text: 'Anonymous pull is enabled: anyone who can reach contosoacr.azurecr.io can pull without a role.',
  });
  expect(d.findings).toContainEqual({
    topic: 'expiry',
    level: 'warn',
    text: 'Role-based pull ends 2027-01-03 10:00 UTC.',
  });
});

test('a firewall that denies every address: the fix names a virtual network rule for the subnet as a way in', () => {
  const d = diagnose({ cell: cell([acrPullOnRegistry()]), network: { ...open, defaultAction: 'Deny' } });
  expect(d.canPull).toBe(false);
  expect(d.fix).toBe(
    "Ask the registry's owners to add an IP rule for aks-prod's outbound IP or a virtual network rule for its nodes' subnet to the registry firewall, or a private endpoint reachable from aks-prod's network.",
  );
});

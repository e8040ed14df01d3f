/**
 * `check` of a cluster whose own drifted grant sits behind a role assignment still in Azure (its
 * identity or the registry's mode switched back, a condition added, the assignment made again
 * under its name). acrbot's expiry deletes that assignment at the grant's end all the same
 * (role-assignment-holders.ts counts the drifted grant as a holder), so pull ends then, not "no end
 * date"; and the grant cannot be extended (drifted-access.ts), so the fix is a new grant, except
 * with a condition added: a grant is then refused, and the fix is lifting the condition.
 */
import type { AcrbotRequestRef, RoleAssignmentPath } from '../../src/domain/access-inventory';
import type { AccessRequest } from '../../src/domain/request';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { shortTime } from '../../src/domain/pull-diagnosis';
import { FakeClock } from './support/fake-clock';
import { acrPullOnRegistry, cell, diagnose, registry } from './support/pull-diagnosis-fixtures';
import { A_ENDS, grantForA, inventoryOver, NOW } from './support/shared-identity';

/** aks-prod's grant R-AAAAAAAA, ending within days, marked drifted (identityChanged) on NOW. */
const drifted: AcrbotRequestRef = {
  requestId: 'R-AAAAAAAA',
  requesterName: 'Riley',
  requesterId: 'r',
  approvedBy: 'Alex',
  expiresAt: '2027-01-03T00:00:00Z',
  state: 'drifted',
  termState: 'expiring',
  driftDetectedAt: '2027-01-01T00:00:00Z',
  driftReason: 'identityChanged',
};

function role(requests: AcrbotRequestRef[], over: Partial<RoleAssignmentPath> = {}): RoleAssignmentPath {
  return acrPullOnRegistry({ requests, state: 'expiring', ...over });
}

const NEW_GRANT =
  'It ends with acrbot request R-AAAAAAAA, which acrbot does not extend: its access changed outside acrbot (noticed 2027-01-01 00:00 UTC); to keep pulling after that: @acrbot grant aks-prod contosoacr REASON…';

test('its own drifted grant holds the assignment: pull ends with it, and the fix is a new grant, not Extend', () => {
  const d = diagnose({ cell: cell([role([drifted])]) });
  expect(d.canPull).toBe(true);
  expect(d.findings).toContainEqual({
    topic: 'expiry',
    level: 'warn',
    text: 'Role-based pull ends 2027-01-03 00:00 UTC.',
  });
  expect(d.findings.map((f) => f.text).join('\n')).not.toContain('no end date');
  expect(d.fix).toBe(NEW_GRANT);
});

test('ending weeks away: the end is said (✓), and the fix still says the grant cannot be extended', () => {
  const far = { ...drifted, expiresAt: '2027-02-01T00:00:00Z', termState: 'active' as const };
  const d = diagnose({ cell: cell([role([far], { state: 'active' })]) });
  expect(d.findings).toContainEqual({
    topic: 'expiry',
    level: 'ok',
    text: 'Role-based pull ends 2027-02-01 00:00 UTC.',
  });
  expect(d.fix).toBe(NEW_GRANT);
});

test('a live request of its own ending at the same time is the one to extend', () => {
  const live: AcrbotRequestRef = { ...drifted, requestId: 'R-BBBBBBBB', state: 'expiring' };
  delete live.termState;
  delete live.driftDetectedAt;
  delete live.driftReason;
  expect(diagnose({ cell: cell([role([drifted, live])]) }).fix).toBe(
    'Extend before it ends: @acrbot extend R-BBBBBBBB REASON…',
  );
});

test('a drifted grant being revoked ends with the revocation, as any other', () => {
  const revoking = { ...drifted, revokingSince: '2026-12-31T23:00:00Z' };
  const d = diagnose({ cell: cell([role([revoking])]) });
  expect(d.findings).toContainEqual({
    topic: 'expiry',
    level: 'warn',
    text: 'Role-based pull ends when acrbot has finished revoking it.',
  });
  expect(d.fix).toBe('To keep pulling after the revocation: @acrbot grant aks-prod contosoacr REASON…');
});

test('a condition added to the assignment (changed): only some repositories, and the pull still ends with the grant', () => {
  const changed = { ...drifted, driftReason: 'changed' as const };
  const d = diagnose({ cell: cell([role([changed], { conditional: true })]) });
  expect(d.limited).toBe(true);
  expect(d.findings).toContainEqual({
    topic: 'expiry',
    level: 'warn',
    text: 'Role-based pull ends 2027-01-03 00:00 UTC.',
  });
  // Not a new grant: Azure keeps one AcrPull per identity and registry, and `grant` is refused
  // while this one has a condition (grant.conditionalExists); only its removal or widening helps.
  expect(d.fix).toBe(
    `For every repository, ask the registry's owners to remove or widen the condition on AcrPull on the registry itself (${registry.id}/providers/Microsoft.Authorization/roleAssignments/1); Azure keeps one assignment of a role per identity and registry, so acrbot cannot add one without it.`,
  );
});

test("through the inventory: aks-a's own drifted grant, its identity pulling through the assignment again", async () => {
  const r = grantForA();
  const marked: AccessRequest = {
    ...r,
    access: { ...r.access!, driftDetectedAt: NOW, driftReason: 'identityChanged' },
  };
  const store = new MemoryRequestStore();
  await store.create(marked);
  const d = await inventoryOver(store, new FakeClock(NOW)).check('aks-a', 'sharedreg');
  expect(d.canPull).toBe(true);
  expect(d.findings).toContainEqual({
    topic: 'expiry',
    level: 'warn',
    text: `Role-based pull ends ${shortTime(A_ENDS)}.`,
  });
  expect(d.fix).toBe(
    `It ends with acrbot request R-AAAAAAAA, which acrbot does not extend: its access changed outside acrbot (noticed 2027-01-01 00:00 UTC); to keep pulling after that: @acrbot grant aks-a sharedreg REASON…`,
  );
});

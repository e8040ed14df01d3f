/**
 * Two reloads taken back to back (the second recorded before the first's entry is written): each
 * entry names the owed break-glass reviews nobody can do under its own policy, not under the one
 * in force by the time it is written (policy-reload-audit.ts `write`).
 */
import { loadPolicy } from '../../src/config/policy-file';
import type { AccessRequest } from '../../src/domain/request';
import { PolicyReloadAudit } from '../../src/flows/policy-reload-audit';
import { MemoryAuditLog } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { breakGlassRequest } from './support/break-glass';
import { FakeClock } from './support/fake-clock';
import { grantPlan, REQUESTER } from './support/requests';

const U1 = '0a000000-0000-4000-8000-00000000bbb1';
const U3 = '0a000000-0000-4000-8000-00000000bbb3';
const TENANT_ID = '5b1e2c3d-0000-4000-8000-00000000a0a0';
const rules = (...r: Array<[string, string]>) =>
  `version: 1\nrules:\n${r.map(([id, user]) => `  - id: ${id}\n    match: { cluster: "aks-${id}*" }\n    approvers: { users: ["${user}"] }\n`).join('')}`;
const V1 = loadPolicy(rules(['prod', U1], ['dev', U1]), 'v1.yaml').policy;
/** `prod` names only R1's requester: nobody reviews it. */
const A = loadPolicy(rules(['prod', REQUESTER.objectId], ['dev', U1]), 'a.yaml').policy;
/** `prod` names another approver: someone reviews R1 again. */
const B = loadPolicy(rules(['prod', U3], ['dev', U1]), 'b.yaml').policy;

/** R1: an owed review of the requester's break-glass grant on aks-prod, bound to V1's `prod`. */
function owed(): AccessRequest {
  const request = breakGlassRequest(
    REQUESTER,
    '2026-12-06T08:00:00.000Z',
    { dueAt: '2026-12-07T08:00:00.000Z' },
    { id: 'R1', state: 'succeeded', plan: grantPlan() },
  );
  return { ...request, tenantId: TENANT_ID, policy: { ...request.policy!, rule: V1.rules[0] } };
}

test('two reloads taken back to back: the first entry still names the review it left to nobody', async () => {
  const clock = new FakeClock('2026-12-06T09:00:00.000Z');
  const audit = new MemoryAuditLog(clock);
  const reloads = new PolicyReloadAudit(audit, clock, createLogger({ level: 'silent' }), TENANT_ID, V1, async () => ({
    requests: [owed()],
  }));

  await Promise.all([
    reloads.record({ ok: true, changed: true, policy: A }),
    reloads.record({ ok: true, changed: true, policy: B }),
  ]);

  const entries = (await audit.latest(2)).filter((e) => e.action === 'policy.reloaded');
  const of = (policy: typeof A) => entries.find((e) => e.policyHash === policy.hash)!;
  expect(entries).toHaveLength(2);
  expect(of(A).detail).toMatch(/nobody can do under it until the policy is mended: R1$/);
  expect(of(B).detail).not.toContain('R1');
});

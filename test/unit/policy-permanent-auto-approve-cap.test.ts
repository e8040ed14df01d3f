/**
 * A permanent term asked under an auto-approving rule without a maxDuration of its own: the
 * auto-approval's cap is what is granted, so the access gets an end. Nobody approved it, so
 * "permanent" must not survive into the granted term.
 */
import type { Policy, PolicyProvider } from '../../src/domain/policy';
import { termUnderRule } from '../../src/domain/policy';
import { transition } from '../../src/domain/request';
import { RequestService } from '../../src/flows/request-service';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, HOUR } from './support/fake-clock';
import { fakeDirectory } from './support/fake-directory';
import { DAY, policy, rule, settings, TENANT } from './support/policy-fixtures';
import { grantPlan, REQUESTER } from './support/requests';

const access = { defaultMs: 30 * DAY, minMs: HOUR, maxMs: 90 * DAY, allowPermanent: true };
const autoRule = rule('dev-auto', { autoApprove: { maxDurationMs: 7 * DAY }, approvalsRequired: 0 });

function service(initial: Policy) {
  const clock = new FakeClock('2026-11-30T09:00:00.000Z');
  const store = new MemoryRequestStore();
  const policies: PolicyProvider = { current: () => initial };
  const requests = new RequestService(
    store,
    new MemoryAuditLog(clock),
    fakeDirectory(),
    clock,
    { ...settings, access },
    { requestChanged: async () => undefined },
    createLogger({ level: 'silent' }),
    undefined,
    policies,
  );
  return { clock, store, requests };
}

test('termUnderRule: auto-approval grants its cap, not permanence', () => {
  const { granted } = termUnderRule({ permanent: true }, autoRule, false);
  expect(granted).toMatchObject({ durationMs: 7 * DAY });
  expect(granted?.permanent).toBeFalsy();
});

test('grant --for permanent under an auto-approving rule without maxDuration is capped and ends', async () => {
  const t = service(policy([autoRule]));
  const made = await t.requests.create({
    requester: REQUESTER,
    tenantId: TENANT,
    reason: 'deploy payments-api',
    plan: grantPlan(),
    origin: { conversationId: '19:general@thread.tacv2', conversationType: 'channel' },
    access: { permanent: true },
  });
  const stored = await t.store.get(made.id);
  expect(stored!.state).toBe('approved');
  expect(stored!.access).toMatchObject({ durationMs: 7 * DAY });
  expect(stored!.access?.permanent).toBeFalsy();
  const at = t.clock.now();
  const done = transition(transition(stored!, { type: 'start', at }), {
    type: 'succeed',
    at,
    outcome: { summary: 'granted', azureRequestIds: [] },
  });
  expect(done.access?.expiresAt).toBe(new Date(at.getTime() + 7 * DAY).toISOString());
});

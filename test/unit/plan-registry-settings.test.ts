/**
 * A registry that lets pulls in whatever roles say (anonymous pull enabled, its admin user on):
 * the plan records `check`'s sentences, and the approver's card, the outcome card and a secret's
 * plan show them, so no one approves access that adds nothing without knowing it. Plans stored
 * before they were recorded render as they did.
 */
import type { RegistryInfo } from '../../src/domain/azure-model';
import { type GrantPlan, plannedRegistry } from '../../src/domain/plan';
import { registryReach } from '../../src/domain/registry-reach';
import { outcomeCard, requestCard } from '../../src/views/request-view';
import { open, registry } from './support/pull-diagnosis-fixtures';
import { APPROVER, grantPlan, pendingRequest, secretPlan } from './support/requests';

const text = (card: unknown) => JSON.stringify(card);
const anonymousOn = { ...registry, network: { ...open, anonymousPullEnabled: true } } as RegistryInfo;
const adminOn = { ...registry, network: { ...open, adminUserEnabled: true } } as RegistryInfo;
const ANONYMOUS = registryReach(anonymousOn, anonymousOn.network).anonymousText!;
const ADMIN = registryReach(adminOn, adminOn.network).adminUserText!;

const granted = (plan: GrantPlan) =>
  pendingRequest({
    plan,
    state: 'succeeded',
    decision: { by: APPROVER, at: '2025-01-15T10:00:00.000Z', approved: true },
    outcome: { summary: 'Granted AcrPull on contosoacr.', azureRequestIds: [] },
  });

/** A grant plan whose registry recorded what `plannedRegistry` reads from `info`. */
function planOn(info: RegistryInfo): GrantPlan {
  const plan = grantPlan();
  return { ...plan, registry: { ...plan.registry, ...plannedRegistry(info) } };
}

test("the plan records check's anonymous-pull and admin-user sentences", () => {
  expect(ANONYMOUS).toBe(
    'Anonymous pull is enabled: anyone who can reach contosoacr.azurecr.io can pull without a role.',
  );
  expect(plannedRegistry(anonymousOn)).toMatchObject({ anonymousPull: ANONYMOUS });
  expect(plannedRegistry(anonymousOn).adminUser).toBeUndefined();
  expect(plannedRegistry(adminOn)).toMatchObject({ adminUser: ADMIN });
  expect(plannedRegistry(adminOn).anonymousPull).toBeUndefined();
  // Nothing reaches it: the network's fact says the access pulls nothing; anonymous pull lets nothing in.
  const closed = { ...registry, network: { ...open, publicNetworkAccess: 'Disabled', anonymousPullEnabled: true } };
  expect(plannedRegistry(closed as RegistryInfo).anonymousPull).toBeUndefined();
  expect(plannedRegistry({ ...registry, network: open } as RegistryInfo)).not.toHaveProperty('anonymousPull');
  expect(plannedRegistry(registry as RegistryInfo)).not.toHaveProperty('adminUser');
});

test("the approver's card, the outcome card and a secret's card show them as a fact", () => {
  const both = { ...registry, network: { ...open, anonymousPullEnabled: true, adminUserEnabled: true } };
  const plan = planOn(both as RegistryInfo);
  const fact = `When this was requested: ${ANONYMOUS} ${ADMIN}`;
  const card = text(requestCard(pendingRequest({ plan }), { showActions: true }));
  expect(card).toContain('"Registry settings"');
  expect(card).toContain(JSON.stringify(fact).slice(1, -1));
  expect(text(outcomeCard(granted(plan)))).toContain(JSON.stringify(fact).slice(1, -1));
  const secret = secretPlan();
  const onSecret = { ...secret, registry: { ...secret.registry, ...plannedRegistry(anonymousOn) } };
  expect(text(requestCard(pendingRequest({ plan: onSecret }), { showActions: true }))).toContain(
    `When this was requested: ${ANONYMOUS}`,
  );
});

test('a plan stored before they were recorded renders as before', () => {
  const plan = grantPlan();
  expect(text(requestCard(pendingRequest({ plan }), { showActions: true }))).not.toContain('Registry settings');
  expect(text(outcomeCard(granted(plan)))).not.toContain('Registry settings');
});

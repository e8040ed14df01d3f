/**
 * The commands acrbot suggests about a request name its cluster and registry as the requester did
 * when it was planned (plan.ts `typed`, typed-names.ts): that form resolved to exactly this pair,
 * so a command copied from a card or an answer reaches it again, and the common case (bare names)
 * reads as typed. A plan stored before the form was recorded names them by resource id, the one
 * form that never names two resources.
 */
import type { ClusterInfo, RegistryInfo } from '../../src/domain/azure-model';
import { driftedExtensionRefusal } from '../../src/domain/drifted-access';
import type { GrantPlan, PlannedAsTyped } from '../../src/domain/plan';
import type { RoleAssignmentPort } from '../../src/domain/ports';
import type { AccessRequest } from '../../src/domain/request';
import type { ResourceResolver } from '../../src/flows/resource-resolver';
import { SecretPlanner } from '../../src/flows/secret-planner';
import { credentialReminderCard } from '../../src/views/lifecycle-view';
import { outcomeCard } from '../../src/views/request-view';
import { breakGlassService } from './support/break-glass-service';
import { OLIVE, policy, rule, TENANT } from './support/policy-fixtures';
import {
  APPROVER,
  CLUSTER_ID,
  grantPlan,
  pendingRequest,
  REGISTRY_ID,
  REQUESTER,
  secretPlan,
} from './support/requests';

const DAY = 86_400_000;
const BARE: PlannedAsTyped = { cluster: 'name', registry: 'name' };
const GROUP_AND_ID: PlannedAsTyped = { cluster: 'groupAndName', registry: 'id' };

/** The grant plan of the fixtures, named by the requester as `typed` says (none: stored before). */
function planTyped(typed?: PlannedAsTyped): GrantPlan {
  return { ...grantPlan(), ...(typed && { typed }) };
}

function grantedWith(plan: AccessRequest['plan'], extra: Partial<AccessRequest> = {}): AccessRequest {
  return pendingRequest({
    plan,
    state: 'succeeded',
    decision: { by: APPROVER, at: '2025-01-15T10:00:00.000Z', approved: true },
    access: { durationMs: 30 * DAY, expiresAt: '2027-01-04T10:00:00.000Z' },
    outcome: { summary: 'Granted AcrPull', azureRequestIds: [] },
    ...extra,
  });
}

const text = (card: unknown) => JSON.stringify(card);

describe("a granted grant's outcome card: check, if pulls still fail", () => {
  test.each<[string, PlannedAsTyped | undefined, string]>([
    ['bare names, as typed', BARE, '"@acrbot check aks-prod contosoacr".'],
    ['group/name and the registry id, as typed', GROUP_AND_ID, `"@acrbot check rg-aks/aks-prod ${REGISTRY_ID}".`],
    ['a plan stored before the form was recorded: ids', undefined, `"@acrbot check ${CLUSTER_ID} ${REGISTRY_ID}".`],
  ])('%s', (_name, typed, command) => {
    expect(text(outcomeCard(grantedWith(planTyped(typed))))).toContain(
      // The card's JSON, its quotes escaped.
      `If pulls still fail after 30 minutes: ${command.replace(/"/g, '\\"')}`,
    );
  });
});

test("a drifted grant's refusal asks for the access again as the requester named the pair", () => {
  const drifted = (typed?: PlannedAsTyped) =>
    driftedExtensionRefusal(
      grantedWith(planTyped(typed), {
        access: {
          durationMs: 30 * DAY,
          expiresAt: '2027-01-04T10:00:00.000Z',
          driftDetectedAt: '2027-01-01T08:00:00.000Z',
        },
      }),
    )!.message;
  expect(drifted(BARE)).toContain('"@acrbot grant aks-prod contosoacr REASON…"');
  expect(drifted(GROUP_AND_ID)).toContain(`"@acrbot grant rg-aks/aks-prod ${REGISTRY_ID} REASON…"`);
});

test("a permanent pull secret's credential reminder asks for the secret again as the requester named the pair", () => {
  const reminder = (typed?: PlannedAsTyped) =>
    text(
      credentialReminderCard(
        grantedWith(secretPlan({ ...(typed && { typed }) }), { access: { permanent: true } }),
        DAY,
        '2026-01-14T10:00:00.000Z',
        30 * DAY,
      ),
    );
  expect(reminder(BARE)).toContain(
    '"@acrbot secret aks-prod contosoacr --namespace payments --name acr-auth --for permanent',
  );
  expect(reminder(GROUP_AND_ID)).toContain(`"@acrbot secret rg-aks/aks-prod ${REGISTRY_ID} --namespace payments`);
  expect(reminder(undefined)).toContain(`"@acrbot secret ${CLUSTER_ID} ${REGISTRY_ID} --namespace payments`);
});

test('the secret plan records how the requester named the pair, and its reminder repeats that form', async () => {
  // The fixtures' pair, whatever form names it: the form recorded is the one typed.
  const base = secretPlan();
  const cluster = { ...base.cluster, identity: {}, aadEnabled: true, localAccountsDisabled: true };
  const resolver = {
    resolveCluster: async () => cluster as unknown as ClusterInfo,
    resolveRegistry: async () => base.registry as unknown as RegistryInfo,
  } as unknown as ResourceResolver;
  const roles = { canAssignRoles: async () => true } as unknown as RoleAssignmentPort;
  const planner = new SecretPlanner(resolver, roles, { now: () => new Date('2025-02-01T00:00:00Z') }, 365 * DAY);
  const options = { namespace: 'payments', name: 'acr-auth' };

  const typed = await planner.plan({ cluster: 'rg-aks/aks-prod', registry: REGISTRY_ID, typed: options });
  expect(typed.typed).toEqual(GROUP_AND_ID);
  expect((await planner.plan({ cluster: 'AKS-PROD', registry: 'contosoacr', typed: options })).typed).toEqual(BARE);
  expect(
    text(
      credentialReminderCard(
        grantedWith(typed, { access: { permanent: true } }),
        DAY,
        '2026-01-14T10:00:00.000Z',
        30 * DAY,
      ),
    ),
  ).toContain(`"@acrbot secret rg-aks/aks-prod ${REGISTRY_ID} --namespace payments`);
});

describe('no rule covers the pair: `policy` is offered as the requester named it', () => {
  // One rule, for other registries only.
  const t = () =>
    breakGlassService({ policies: { current: () => policy([rule('shared', { match: { registry: ['shared*'] } })]) } });
  const create = (requester: typeof REQUESTER, typed: PlannedAsTyped | undefined, breakGlass: boolean) =>
    t().service.create({
      requester,
      tenantId: TENANT,
      reason: 'deploy payments-api',
      plan: planTyped(typed),
      origin: { conversationId: '19:general@thread.tacv2', conversationType: 'channel' },
      ...(breakGlass && { breakGlass: true }),
    });

  test.each<[string, PlannedAsTyped | undefined, string]>([
    ['bare names', BARE, 'aks-prod contosoacr'],
    ['group/name and id', GROUP_AND_ID, `rg-aks/aks-prod ${REGISTRY_ID}`],
    ['not recorded: ids', undefined, `${CLUSTER_ID} ${REGISTRY_ID}`],
  ])('%s, for a normal request and for break-glass', async (_name, typed, pair) => {
    const hint = `("@acrbot policy ${pair}" shows what applies)`;
    await expect(create(REQUESTER, typed, false)).rejects.toMatchObject({
      code: 'policy.noRule',
      message: expect.stringContaining(hint),
    });
    await expect(create(OLIVE, typed, true)).rejects.toMatchObject({
      code: 'breakglass.noRule',
      message: expect.stringContaining(hint),
    });
  });
});

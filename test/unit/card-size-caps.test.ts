/**
 * Cards that grew with the data until Teams refused them (a 413, shown as "That did not work"):
 * a live assignment named every earlier grant of it, `check` listed every pull secret, `access
 * REGISTRY` every unresolved cluster, `policy` every namespace rule. Each is capped and counted;
 * and `sendCard` replaces any card still over CARD_MAX_BYTES with a short one, logged once.
 */
import type { TurnContext } from 'botbuilder';
import {
  buildCells,
  type AcrbotRequestRef,
  type InventoryFacts,
  type PullSecretPath,
} from '../../src/domain/access-inventory';
import type { RoleAssignmentInfo } from '../../src/domain/azure-model';
import type { GrantPlan } from '../../src/domain/plan';
import type { Policy, PolicyRule } from '../../src/domain/policy';
import { rulesForPair } from '../../src/domain/policy-overview';
import { originText } from '../../src/domain/pull-diagnosis';
import type { AccessRequest } from '../../src/domain/request';
import type { Logger } from '../../src/observability/logger';
import { sendCard } from '../../src/bot/turn-cards';
import { checkCard, pathLine, registryAccessCard } from '../../src/views/access-view';
import { CARD_MAX_BYTES, jsonBytes, messageCard } from '../../src/views/message-view';
import { policyCard } from '../../src/views/policy-view';
import {
  acrPullOnRegistry,
  cell,
  cluster,
  diagnose,
  identity,
  KUBELET,
  NOW,
  registry,
  SUB,
  ACR_PULL,
} from './support/pull-diagnosis-fixtures';

/** The assignment's deterministic name: every re-grant of AcrPull to the kubelet makes this one. */
const NAME = 'aaaaaaaa-0000-4000-8000-000000000001';
const assignment: RoleAssignmentInfo = {
  id: `${registry.id}/providers/Microsoft.Authorization/roleAssignments/${NAME}`,
  name: NAME,
  scope: registry.id,
  roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${ACR_PULL.guid}`,
  principalId: KUBELET,
  principalType: 'ServicePrincipal',
};
const DAY = 86_400_000;

/** Grant number `i` of the pair, a day after the one before: `live` until 2027-01-01 08:00, else revoked. */
function grant(i: number, live: boolean, forCluster = cluster): AccessRequest {
  const start = Date.parse('2026-06-01T00:00:00Z') + i * DAY;
  const at = new Date(start).toISOString();
  const plan = {
    kind: 'grant',
    cluster: forCluster,
    registry,
    identity: { kind: 'kubelet', objectId: KUBELET, description: 'kubelet' },
    role: { id: ACR_PULL.guid, name: 'AcrPull' },
    scope: registry.id,
    roleAssignmentName: NAME,
    operations: [],
  } as unknown as GrantPlan;
  return {
    id: `R-${forCluster.name.slice(-2)}${String(i).padStart(6, '0')}`,
    version: 3,
    state: live ? 'succeeded' : 'revoked',
    tenantId: 't',
    requester: { objectId: 'req', name: 'Riley Requester' },
    reason: 'deploy hotfix',
    plan,
    createdAt: at,
    expiresAt: new Date(start + 3_600_000).toISOString(),
    updatedAt: at,
    decision: { by: { objectId: 'ap', name: 'Alex Approver' }, at, approved: true },
    origin: { conversationId: 'c', conversationType: 'channel' },
    sandbox: false,
    access: live
      ? { durationMs: 8 * 3_600_000, expiresAt: '2027-01-01T08:00:00.000Z' }
      : {
          revokedAt: new Date(start + 8 * 3_600_000).toISOString(),
          revokedBy: { objectId: 'ap', name: 'Alex Approver' },
        },
  } as unknown as AccessRequest;
}

function facts(requests: AccessRequest[], clusters = [cluster]): InventoryFacts {
  return {
    clusters: clusters.map((c) => ({ cluster: c, identity })),
    registries: [registry],
    assignmentsByIdentity: new Map([[KUBELET, [assignment]]]),
    roles: new Map([[ACR_PULL.guid, ACR_PULL]]),
    requests,
    now: NOW,
  };
}

describe('a role assignment re-granted many times', () => {
  test('its line names the live request only, and counts the ended ones', () => {
    const requests = [...Array.from({ length: 200 }, (_, i) => grant(i, false)), grant(200, true)];
    const path = buildCells(facts(requests))[0].paths[0];
    expect(path).toMatchObject({ kind: 'roleAssignment', origin: 'acrbot', state: 'expiring' });
    expect(path.kind === 'roleAssignment' && path.endedRequestIds?.length).toBe(200);
    const line = pathLine(path, 'rg-acr', SUB);
    expect(line).toContain('acrbot request R-od000200 (approved by Alex Approver, until 2027-01-01 08:00 UTC)');
    expect(line).toContain('200 earlier acrbot requests for it ended');
    expect(line).not.toContain('R-od000000');
    expect(line.length).toBeLessThan(300);
  });

  test('access REGISTRY: 20 clusters each granted 60 times fit in a card', () => {
    const cells = Array.from({ length: 20 }, (_, c) => {
      const other = { ...cluster, id: `${cluster.id}-${c}`, name: `aks-team-${String(c).padStart(2, '0')}` };
      return buildCells(
        facts(
          Array.from({ length: 61 }, (_, i) => grant(i, i === 60, other)),
          [other],
        ),
      );
    }).flat();
    const card = registryAccessCard({ registry, cells, unresolvedClusters: [], generatedAt: NOW.toISOString() }, false);
    expect(jsonBytes(card)).toBeLessThanOrEqual(CARD_MAX_BYTES);
  });

  test('with none of them live the assignment keeps them (acrbot is removing it), five named and the rest counted', () => {
    const requests = Array.from({ length: 12 }, (_, i) => grant(i, false));
    const path = buildCells(facts(requests))[0].paths[0];
    expect(path).toMatchObject({ kind: 'roleAssignment', origin: 'acrbot' });
    expect(path.kind === 'roleAssignment' && path.requests).toHaveLength(12);
    expect(path.kind === 'roleAssignment' && path.endedRequestIds).toBeFalsy();
    const text = originText(path);
    expect(text.match(/acrbot request R-/g)).toHaveLength(5);
    expect(text).toContain('and 7 more acrbot requests');
  });
});

test('an assignment shared by many clusters names five requests and counts the rest', () => {
  const ref = (i: number): AcrbotRequestRef => ({
    requestId: `R-S${i}`,
    requesterName: 'Riley',
    requesterId: 'r',
    approvedBy: 'Alex',
    expiresAt: '2027-02-01T00:00:00Z',
    state: 'active',
    clusterName: `aks-${i}`,
  });
  const path = acrPullOnRegistry({ requests: [], sharedRequests: Array.from({ length: 12 }, (_, i) => ref(i)) });
  const text = originText(path);
  expect(text).toContain('R-S4 for cluster aks-4');
  expect(text).not.toContain('R-S5');
  expect(text).toContain('and 7 more acrbot requests');
});

describe('check with a pull secret in every namespace', () => {
  const secrets = (n: number): PullSecretPath[] =>
    Array.from({ length: n }, (_, i) => ({
      kind: 'pullSecret',
      namespace: `team-${i}-payments`,
      secretName: 'acr-pull-contosoacr',
      credentialKind: 'token',
      request: {
        requestId: `R-${1000 + i}`,
        requesterName: 'Firstname Lastname',
        requesterId: 'x',
        approvedBy: 'Approver Person',
        expiresAt: '2027-03-01T00:00:00Z',
        state: 'active',
      },
      state: 'active',
    }));

  test('lists ten of 80 and counts the rest, under the card budget', () => {
    const d = diagnose({ cell: cell([acrPullOnRegistry(), ...secrets(80)]) });
    const listed = d.findings.filter((f) => f.topic === 'secret');
    expect(listed).toHaveLength(11);
    expect(listed[10].text).toBe('…and 70 more pull secrets in other namespaces; the Access matrix tab lists them.');
    expect(jsonBytes(checkCard(d, false))).toBeLessThanOrEqual(CARD_MAX_BYTES);
  });

  test('a verdict that names the secrets names three and counts the rest', () => {
    const d = diagnose({ identity: undefined, identityProblem: 'no identity.', cell: cell(secrets(80)) });
    expect(d.verdict).toContain('team-2-payments, or one of 77 more acrbot pull secrets can pull through it.');
    expect(d.verdict).not.toContain('team-3-payments');
  });

  test('ten or fewer are all listed, with no count', () => {
    const d = diagnose({ cell: cell([acrPullOnRegistry(), ...secrets(10)]) });
    expect(d.findings.filter((f) => f.topic === 'secret')).toHaveLength(10);
    expect(d.findings.map((f) => f.text).join(' ')).not.toContain('more pull secret');
  });
});

test('access REGISTRY with 150 clusters acrbot could not check: five notes and a count', () => {
  const unresolvedClusters = Array.from({ length: 150 }, (_, i) => ({
    cluster: { ...cluster, id: `${cluster.id}${i}`, name: `aks-legacy-${i}` },
    problem: `Cluster aks-legacy-${i} uses a service principal Microsoft Graph does not know.`,
  }));
  const card = registryAccessCard({ registry, cells: [], unresolvedClusters, generatedAt: NOW.toISOString() }, false);
  const text = JSON.stringify(card);
  expect(text.match(/Not checked: /g)).toHaveLength(5);
  expect(text).toContain('…and 145 more clusters not checked; the Access matrix tab lists them.');
  expect(jsonBytes(card)).toBeLessThanOrEqual(CARD_MAX_BYTES);
});

test('policy with a pull-secret rule per namespace: eight listed, the rest counted', () => {
  const rules: PolicyRule[] = Array.from(
    { length: 30 },
    (_, i) =>
      ({
        id: `team-${i}-secrets`,
        match: { namespace: [`team-${i}-*`], flow: ['secret'] },
        approvers: { users: [`lead${i}@contoso.com`], groups: [] },
        approvalsRequired: 1,
        approverJustification: 'optional',
        remindAfterMs: 4 * 3_600_000,
      }) as unknown as PolicyRule,
  );
  rules.push({
    id: 'default',
    match: {},
    approvers: { users: [], groups: ['0b000000-0000-4000-8000-0000000000ff'] },
    approvalsRequired: 1,
    approverJustification: 'optional',
  } as unknown as PolicyRule);
  const policy = { version: 1, rules, hash: 'a'.repeat(64), source: 'file' } as unknown as Policy;
  const tagged = { ...cluster, tags: {} };
  const pair = rulesForPair(policy, tagged as never, { ...registry, tags: {} } as never);
  const card = policyCard({
    cluster: 'aks-prod',
    registry: 'contosoacr',
    policy,
    rule: pair.grant,
    secret: pair.secret,
    sandbox: false,
  });
  const text = JSON.stringify(card);
  expect(text).toContain('team-7-*');
  expect(text).not.toContain('team-8-*');
  expect(text).toContain('Pull secrets in 22 more namespace patterns');
  expect(text).toContain('Pull secrets in other namespaces');
  expect(jsonBytes(card)).toBeLessThanOrEqual(CARD_MAX_BYTES);
});

describe('sendCard', () => {
  function turn(text: string) {
    const sent: Array<{ attachments?: Array<{ content: Record<string, unknown> }> }> = [];
    const ctx = {
      activity: { type: 'message', text },
      sendActivity: jest.fn(async (a: (typeof sent)[number]) => {
        sent.push(a);
        return { id: 'a1' };
      }),
    } as unknown as TurnContext;
    const warnings: Array<{ fields: Record<string, unknown>; msg: string }> = [];
    const log = {
      warn: (fields: Record<string, unknown>, msg: string) => warnings.push({ fields, msg }),
    } as unknown as Logger;
    return { ctx, sent, warnings, log };
  }
  const huge = (sandbox: boolean) =>
    messageCard({ title: 'Everything', text: 'x'.repeat(CARD_MAX_BYTES + 10), sandbox });

  test('a card over CARD_MAX_BYTES goes as a short card saying so, logged once with its size and the command', async () => {
    const { ctx, sent, warnings, log } = turn('access contosoacr please now');
    await sendCard(ctx, huge(true), log);
    expect(sent).toHaveLength(1);
    const card = sent[0].attachments![0].content;
    const text = JSON.stringify(card);
    expect(text).toContain('Too large to show in Teams');
    expect(text).toContain('The Access matrix tab');
    expect(text).toContain('SANDBOX');
    expect(text).not.toContain('xxxx');
    expect(text).not.toContain('That did not work');
    expect(jsonBytes(card)).toBeLessThan(CARD_MAX_BYTES);
    expect(warnings).toHaveLength(1);
    expect(warnings[0].fields).toEqual({
      cardBytes: jsonBytes(huge(true)),
      maxBytes: CARD_MAX_BYTES,
      command: 'access contosoacr please',
    });
  });

  test('a card within the budget goes as it is, with no warning', async () => {
    const { ctx, sent, warnings, log } = turn('help');
    const small = messageCard({ title: 'Hi', text: 'small', sandbox: false });
    await sendCard(ctx, small, log);
    expect(sent[0].attachments![0].content).toEqual(small);
    expect(warnings).toHaveLength(0);
  });
});

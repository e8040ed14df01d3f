/**
 * Every card acrbot renders, with realistic data, checked the way Teams would take it: the
 * Adaptive Cards parser finds no unknown elements or bad values (CodeBlock is a Teams element
 * with a fallback), version 1.5, no `${…}` left over, well under Teams' message size limit, and
 * approval buttons that carry only the request id and version (G3).
 */
// Its `main` does not load in Node (TOOLCHAIN.md); the dist bundle does.
const AC = require('adaptivecards/dist/adaptivecards.js');
import type { SecretPlan } from '../../src/domain/plan';
import { auditCard, grantFormCard, helpCard, messageCard } from '../../src/views/message-view';
import { outcomeCard, requestCard } from '../../src/views/request-view';
import type { AdaptiveCardJson } from '../../src/views/card-templates';
import { APPROVER, auditEvent, pendingRequest, REGISTRY_ID, SUB } from './support/requests';
import { chainEntry } from '../../src/domain/audit-chain';

const TEAMS_ONLY_ELEMENTS = ['Unknown element type "CodeBlock". Fallback will be used if present.'];

function parseErrors(card: AdaptiveCardJson): string[] {
  const parsed = new AC.AdaptiveCard();
  const context = new AC.SerializationContext();
  parsed.parse(card, context);
  const messages: string[] = [];
  for (let i = 0; i < context.eventCount; i++) messages.push(context.getEventAt(i).message);
  return messages.filter((m) => !TEAMS_ONLY_ELEMENTS.includes(m));
}

const secretPlan: SecretPlan = {
  kind: 'secret',
  cluster: {
    id: '/subscriptions/x/resourceGroups/rg-dev/providers/Microsoft.ContainerService/managedClusters/aks-dev',
    name: 'aks-dev',
    subscriptionId: SUB,
    resourceGroup: 'rg-dev',
    aadEnabled: false,
  },
  registry: {
    id: REGISTRY_ID,
    name: 'contosoacr',
    subscriptionId: SUB,
    resourceGroup: 'rg-acr',
    loginServer: 'contosoacr.azurecr.io',
    roleAssignmentMode: 'LegacyRegistryPermissions',
  },
  credentialKind: 'token',
  credentialName: 'acrbot-<request id>',
  repositories: [],
  namespace: 'payments',
  secretName: 'acr-auth',
  serviceAccount: 'default',
  expiresAt: '2027-02-23T10:00:00.000Z',
  operations: ['Create ACR token', 'Write secret'],
};

const decided = { by: APPROVER, at: '2025-01-15T10:00:00.000Z', approved: true };
const cards: Record<string, AdaptiveCardJson> = {
  'request pending (approver)': requestCard(pendingRequest(), { showActions: true }),
  'request pending (requester)': requestCard(pendingRequest(), { showActions: false }),
  'request executing': requestCard(pendingRequest({ state: 'executing', decision: decided }), { showActions: true }),
  'request failed': requestCard(
    pendingRequest({
      state: 'failed',
      decision: decided,
      outcome: { summary: 'Failed', azureRequestIds: [], error: 'acrbot may not …' },
    }),
    { showActions: true, notice: 'refused', noticeColor: 'Attention' },
  ),
  'secret request': requestCard(pendingRequest({ plan: secretPlan }), { showActions: true }),
  'grant outcome': outcomeCard(
    pendingRequest({
      state: 'succeeded',
      decision: decided,
      outcome: { summary: 'Granted AcrPull', azureRequestIds: ['a1b2'], createdIds: ['/x/roleAssignments/1'] },
    }),
  ),
  'secret outcome': outcomeCard(
    pendingRequest({
      state: 'succeeded',
      plan: secretPlan,
      decision: decided,
      outcome: { summary: 'Secret created', azureRequestIds: ['a1'], createdIds: ['tok'], cleanup: 'none' },
    }),
  ),
  'failed outcome': outcomeCard(
    pendingRequest({
      state: 'failed',
      decision: decided,
      outcome: { summary: 'Failed', azureRequestIds: [], error: 'no', cleanup: 'deleted' },
    }),
  ),
  message: messageCard({
    title: 'Not found',
    text: 'No cluster named x',
    tone: 'error',
    hints: ['aks-prod'],
    facts: [{ label: 'a', value: 'b' }],
    sandbox: true,
  }),
  help: helpCard(true),
  'grant form': grantFormCard({ sandbox: true, cluster: 'aks-prod', error: 'bad registry' }),
  audit: auditCard(
    'Latest',
    'last 2',
    [
      chainEntry(auditEvent(1), undefined, new Date()),
      chainEntry(auditEvent(2, { detail: undefined }), undefined, new Date()),
    ],
    true,
  ),
};

describe.each(Object.entries(cards))('%s card', (_name, card) => {
  test('parses without errors, version 1.5, nothing left unexpanded, small', () => {
    expect(parseErrors(card)).toEqual([]);
    expect(card.version).toBe('1.5');
    const json = JSON.stringify(card);
    expect(json).not.toContain('${');
    expect(Buffer.byteLength(json)).toBeLessThan(28 * 1024);
  });
});

test('approve/reject carry only the request id and version; the other states have no buttons', () => {
  const actions = cards['request pending (approver)'].actions as { verb: string; data: object }[];
  expect(actions.map((a) => a.verb)).toEqual(['approve', 'reject']);
  for (const a of actions) expect(Object.keys(a.data).sort()).toEqual(['requestId', 'version']);
  for (const name of ['request pending (requester)', 'request executing', 'request failed'])
    expect(cards[name].actions ?? []).toEqual([]);
});

test('user text is inserted as text: a ${…} in a reason is not evaluated', () => {
  const card = requestCard(pendingRequest({ reason: 'deploy ${requestId} now' }), { showActions: false });
  expect(JSON.stringify(card)).toContain('deploy ${requestId} now');
});

test('user text cannot carry a disguised link to the approver; the URL stays readable', () => {
  const card = requestCard(pendingRequest({ reason: 'urgent [approve here](https://evil.example/x) please' }), {
    showActions: true,
  });
  const json = JSON.stringify(card);
  expect(json).not.toMatch(/\]\(https?:/);
  expect(json).not.toContain('https://evil');
  expect(json).toContain('evil.example/x');
});

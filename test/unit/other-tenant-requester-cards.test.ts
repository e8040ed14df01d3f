/**
 * A requester of another tenant than acrbot's own (own-tenant.ts `isOtherTenant`) is refused every
 * request when it is made, extensions too. So what acrbot tells them of a request an earlier
 * release recorded for them offers no command that would be refused: the outcome card's next steps
 * no `extend` (nor, for break-glass, `grant`), a failed run's way on and the news of a request that
 * expired undecided no "ask again" command, "Access already exists" no "extend"; each says why and
 * what to do instead. acrbot's own tenant's requester reads the words as before. The requester
 * messages (requester-messages.ts) tell the two apart by the messenger's own tenant.
 */
import type { RoleAssignmentInfo } from '../../src/domain/azure-model';
import { recheckGone } from '../../src/domain/new-request-codes';
import { OTHER_TENANT_ASK_INSTEAD, OTHER_TENANT_NO_EXTEND_NOTE } from '../../src/domain/other-tenant-words';
import type { AccessRequest } from '../../src/domain/request';
import { queueRequesterMessages } from '../../src/bot/requester-messages';
import type { MessengerParts } from '../../src/bot/messenger-parts';
import type { AdaptiveCardJson } from '../../src/views/card-templates';
import { OTHER_TENANT_NO_ASK_AGAIN } from '../../src/views/ask-again-command';
import { requesterNewsCard } from '../../src/views/lifecycle-view';
import { alreadyGrantedCard } from '../../src/views/message-view';
import { outcomeCard } from '../../src/views/request-view';
import { cardTexts } from '../helpers/capturing-connector';
import { APPROVER, grantPlan, pendingRequest, REGISTRY_ID, SUB } from './support/requests';
import { OTHER_TENANT } from '../helpers/tenant-b';

const OWN_TENANT = 'aaaaaaaa-0000-4000-8000-00000000000a';
const decided = { by: APPROVER, at: '2025-01-15T10:00:00.000Z', approved: true };
const TYPED = { cluster: 'name', registry: 'name' } as const;

/** Every text of a card, joined, as its reader sees it. */
const textOf = (card: unknown) => cardTexts(card).join('\n');

/** The text of the outcome card's "Next" section. */
function nextSteps(card: { body?: unknown }): string | undefined {
  const body = card.body as Array<{ text?: string }>;
  const heading = body.findIndex((b) => b.text === 'Next');
  return heading < 0 ? undefined : body[heading + 1]?.text;
}

const granted = (extra: Parameters<typeof pendingRequest>[0] = {}) =>
  pendingRequest({
    state: 'succeeded',
    decision: decided,
    plan: { ...grantPlan(), typed: TYPED },
    access: { durationMs: 30 * 86_400_000, expiresAt: '2027-01-04T10:00:00.000Z' },
    outcome: { summary: 'Granted AcrPull', azureRequestIds: [] },
    ...extra,
  });

const failed = (extra: Parameters<typeof pendingRequest>[0] = {}) =>
  pendingRequest({
    state: 'failed',
    decision: decided,
    plan: { ...grantPlan(), typed: TYPED },
    access: { durationMs: 7 * 86_400_000 },
    outcome: { summary: 'Failed', azureRequestIds: [], error: 'Azure said no.', errorCode: 'azure.forbidden' },
    ...extra,
  });

describe("the outcome card's next steps", () => {
  test('time-boxed access: why it cannot be extended and the way on, instead of extend; revoke stays', () => {
    const request = granted();
    expect(nextSteps(outcomeCard(request, undefined, true))).toBe(
      `It ends by itself (see Term). ${OTHER_TENANT_NO_EXTEND_NOTE} Done with it sooner: "@acrbot revoke ${request.id} REASON…".`,
    );
    // acrbot's own tenant's, as before.
    expect(nextSteps(outcomeCard(request))).toBe(
      `It ends by itself (see Term). To keep it longer: "@acrbot extend ${request.id} REASON…". Done with it sooner: "@acrbot revoke ${request.id} REASON…".`,
    );
    expect(nextSteps(outcomeCard(request, undefined, false))).toBe(nextSteps(outcomeCard(request)));
  });

  test('an extension: its original is the one to revoke, and nothing offers extend', () => {
    const text = nextSteps(
      outcomeCard(granted({ id: 'R-EXTENSN2', extendsRequestId: 'R-ORIGINAL' }), undefined, true),
    )!;
    expect(text).toContain(OTHER_TENANT_NO_EXTEND_NOTE);
    expect(text).toContain('"@acrbot revoke R-ORIGINAL REASON…"');
    expect(text).not.toContain('@acrbot extend');
  });

  test('break-glass: no normal grant offered (refused too), the same words', () => {
    const request = granted();
    const bg = { ...request, policy: { ...request.policy!, breakGlass: true } };
    const text = nextSteps(outcomeCard(bg, undefined, true))!;
    expect(text).not.toContain('@acrbot grant');
    expect(text).toContain(OTHER_TENANT_NO_EXTEND_NOTE);
    expect(nextSteps(outcomeCard(bg))).toContain(
      'ask for a normal grant ("@acrbot grant aks-prod contosoacr REASON…")',
    );
  });

  test('permanent access: revoke only, for either tenant', () => {
    const request = granted({ access: { permanent: true } });
    expect(nextSteps(outcomeCard(request, undefined, true))).toBe(nextSteps(outcomeCard(request)));
  });
});

describe("a failed run's way on", () => {
  test('no "ask again" command: why it would be refused, and the way on', () => {
    const text = textOf(outcomeCard(failed(), undefined, true));
    expect(text).toContain(`Azure said no. ${OTHER_TENANT_NO_ASK_AGAIN}`);
    expect(text).not.toMatch(/@acrbot (grant|secret|extend)/);
    expect(OTHER_TENANT_NO_ASK_AGAIN.endsWith(OTHER_TENANT_ASK_INSTEAD)).toBe(true);
    expect(textOf(outcomeCard(failed()))).toContain(
      'Azure said no. Once fixed, ask again: "@acrbot grant aks-prod contosoacr --for 7d REASON…" (approved like a new request).',
    );
  });

  test('a cluster gone, or an extension: no new request nor extend offered either', () => {
    const gone = failed({
      outcome: {
        summary: 'Failed',
        azureRequestIds: [],
        error: 'The cluster is gone.',
        errorCode: recheckGone('cluster'),
      },
    });
    expect(textOf(outcomeCard(gone, undefined, true))).not.toContain('make a new request');
    expect(textOf(outcomeCard(gone))).toContain('Once it is created again, make a new request: "@acrbot grant');
    const extension = failed({ extendsRequestId: 'R-ORIGINAL' });
    const text = textOf(outcomeCard(extension, undefined, true));
    expect(text).toContain(OTHER_TENANT_NO_ASK_AGAIN);
    expect(text).not.toContain('@acrbot extend');
    expect(textOf(outcomeCard(extension))).toContain('ask again: "@acrbot extend R-ORIGINAL --for 7d REASON…"');
  });
});

describe('the news of a request that expired without a decision', () => {
  const expired = pendingRequest({
    state: 'expired',
    plan: { ...grantPlan(), typed: TYPED },
    access: { durationMs: 86_400_000 },
  });

  test('no command to ask again, for their tenant whatever Teams did with the approvers’ card', () => {
    for (const approvalCardRefused of [false, true]) {
      const text = textOf(
        requesterNewsCard(expired, { kind: 'expiredUnapproved', approvalCardRefused, requesterOfOtherTenant: true }),
      );
      expect(text).toContain(`Nobody decided in time, so nothing was changed. ${OTHER_TENANT_NO_ASK_AGAIN}`);
      expect(text).not.toContain('@acrbot');
    }
  });

  test('an extension whose original ended first: no new request offered', () => {
    const closed = pendingRequest({
      state: 'expired',
      plan: { ...grantPlan(), typed: TYPED },
      extendsRequestId: 'R-ORIGINAL',
      access: { durationMs: 86_400_000 },
      updatedAt: '2025-01-15T15:00:00.000Z',
    });
    const text = textOf(requesterNewsCard(closed, { kind: 'expiredUnapproved', requesterOfOtherTenant: true }));
    expect(text).toContain(`so nothing was extended. ${OTHER_TENANT_NO_ASK_AGAIN}`);
    expect(text).not.toContain('@acrbot');
  });

  test("acrbot's own tenant's requester: the command, as before", () => {
    expect(textOf(requesterNewsCard(expired, { kind: 'expiredUnapproved' }))).toContain(
      'If you still need the access, ask again: "@acrbot grant aks-prod contosoacr --for 1d REASON…".',
    );
  });
});

describe('"Access already exists" for their own grant', () => {
  const existing: RoleAssignmentInfo = {
    id: `${REGISTRY_ID}/providers/Microsoft.Authorization/roleAssignments/11111111-0000-4000-8000-000000000000`,
    name: '11111111-0000-4000-8000-000000000000',
    scope: REGISTRY_ID,
    roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d`,
    principalId: grantPlan().identity.objectId,
  };
  const mine = granted();

  test('names it, says why it cannot be extended and the way on; no extend command', () => {
    const text = textOf(alreadyGrantedCard(grantPlan(), existing, false, mine, undefined, [], true));
    expect(text).toContain(`It is your request ${mine.id} (`);
    expect(text).toContain(`). ${OTHER_TENANT_NO_EXTEND_NOTE}`);
    expect(text).not.toContain('extend R-');
  });

  test("acrbot's own tenant's requester: the extend command, as before", () => {
    const own = textOf(alreadyGrantedCard(grantPlan(), existing, false, mine));
    expect(own).toContain(`; to keep it longer: "extend ${mine.id} --for 30d REASON…".`);
    expect(textOf(alreadyGrantedCard(grantPlan(), existing, false, mine, undefined, [], false))).toBe(own);
  });
});

describe("the requester's messages tell the two tenants apart by the messenger's own tenant", () => {
  /** The cards queued for `request` as it reached its state, under acrbot's own tenant `ownTenantId`. */
  async function sent(request: AccessRequest, ownTenantId: string | undefined): Promise<string[]> {
    const cards: AdaptiveCardJson[] = [];
    const parts: Pick<MessengerParts, 'log' | 'send' | 'outbox' | 'ruleOf' | 'lifecycle'> = {
      log: { warn: () => undefined } as unknown as MessengerParts['log'],
      send: async (_to, card) => {
        cards.push(card);
        return 'id';
      },
      outbox: {
        send: (_key: string, write: () => Promise<unknown>) => write(),
        dropHeld: () => false,
      } as unknown as MessengerParts['outbox'],
      ruleOf: () => undefined,
      lifecycle: { defaultAccessMs: 86_400_000, ...(ownTenantId && { ownTenantId }) },
    };
    const copy = { requestId: request.id, role: 'requester', conversation: { conversation: { id: 'a:chat' } } };
    const { work } = queueRequesterMessages(parts, request, {}, [copy as never]);
    await Promise.all(work);
    return cards.map(textOf);
  }

  test('the outcome card of a request of another tenant offers no extend', async () => {
    const [outcome] = await sent(granted({ tenantId: OTHER_TENANT }), OWN_TENANT);
    expect(outcome).toContain(OTHER_TENANT_NO_EXTEND_NOTE);
    expect(outcome).not.toContain('@acrbot extend');
  });

  test('the news of one that expired undecided offers no ask again', async () => {
    const expired = pendingRequest({ state: 'expired', tenantId: OTHER_TENANT, access: { durationMs: 86_400_000 } });
    const [news] = await sent(expired, OWN_TENANT);
    expect(news).toContain(OTHER_TENANT_NO_ASK_AGAIN);
  });

  test("of acrbot's own tenant, or with no own tenant known: as before", async () => {
    for (const own of [OWN_TENANT, undefined]) {
      const [outcome] = await sent(granted({ tenantId: own ?? OTHER_TENANT }), own);
      expect(outcome).toContain('To keep it longer: "@acrbot extend');
    }
  });
});

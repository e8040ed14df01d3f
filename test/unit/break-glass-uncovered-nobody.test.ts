/**
 * A break-glass grant whose pair no rule of the policy in force covers after a reload, with none
 * of its rule's approvers named in the policy any more (leftToNobody): a revoke by anyone but its
 * requester is refused saying so and how to mend it (not as a plain "not an approver"); the daily
 * report goes where a pair no rule covers goes (the break-glass channel, else
 * ACRBOT_APPROVAL_CHANNEL), not to the removed rule's channel; and its `breakglass.unreviewed`
 * entry says the pair is uncovered. Real RequestService, AccessActions, CardMessenger,
 * ApprovalNudges, memory stores and Scheduler; the policy is reloaded by swapping what the
 * provider answers.
 */
import type { CloudAdapter } from 'botbuilder';
import { CardMessenger } from '../../src/bot/card-messenger';
import type { AccessRequest, Actor } from '../../src/domain/request';
import { AccessActions } from '../../src/flows/access-actions';
import { ApprovalNudges, type NudgeNotifier } from '../../src/flows/approval-nudges';
import { breakGlassReviewJobId } from '../../src/flows/request-jobs';
import { createLogger } from '../../src/observability/logger';
import { reloadableBreakGlassService } from './support/break-glass-service';
import { OLIVE, policy, rule, SAM, TENANT } from './support/policy-fixtures';
import { RefusingAdapter } from './support/refusing-adapter';
import { APPROVER, OUTSIDER } from './support/requests';

const PROD_CHANNEL = '19:prod-approvers@thread.tacv2';
const APPROVALS = '19:approvals@thread.tacv2';
const PAIR = 'aks-prod → contosoacr';

/** Rule prod for every pair, approved by Alice (APPROVER) alone, asked in its own channel. */
const prodPolicy = policy([
  rule('prod', { approvers: { users: [APPROVER.objectId], groups: [] }, channel: PROD_CHANNEL }),
]);

/** After the reload: only a dev rule, whose approver is Sam; Alice is named nowhere. */
const devOnly = (hash: string) =>
  policy([rule('dev', { match: { cluster: ['aks-dev*'] }, approvers: { users: [SAM.objectId], groups: [] } })], hash);

/** As {@link devOnly}, but Alice is still named (by the dev rule): she reviews it under prod as it was. */
const devNamingAlice = policy(
  [
    rule('dev', {
      match: { cluster: ['aks-dev*'] },
      approvers: { users: [SAM.objectId, APPROVER.objectId], groups: [] },
    }),
  ],
  'hash-3',
);

/** The policy's break-glass channel left out: the report falls back to where approvers are asked. */
function withoutBreakGlassChannel(p: ReturnType<typeof policy>) {
  return { ...p, breakGlass: { ...p.breakGlass!, channel: undefined } };
}

async function setup() {
  const t = reloadableBreakGlassService(withoutBreakGlassChannel(prodPolicy));
  const teams = new RefusingAdapter();
  const messenger = new CardMessenger(
    teams as unknown as CloudAdapter,
    'app-1',
    t.store,
    createLogger({ level: 'silent' }),
    undefined,
    { approvalChannelId: APPROVALS, defaultAccessMs: 3_600_000 },
  );
  messenger.ruleOf = (request) => t.service.ruleOf(request);
  messenger.breakGlassChannel = () => undefined;
  const notifier: NudgeNotifier = {
    requestChanged: async () => undefined,
    nudgeApprovers: async () => undefined,
    breakGlassUnreviewed: (request) => messenger.breakGlassUnreviewed(request),
  };
  const current = { policy: withoutBreakGlassChannel(prodPolicy) };
  const reload = (next: ReturnType<typeof policy>) => {
    current.policy = withoutBreakGlassChannel(next);
    t.reload(current.policy);
  };
  const nudges = new ApprovalNudges(t.store, t.audit, t.clock, notifier, t.scheduler, undefined as never, {
    policies: { current: () => current.policy },
  });
  t.scheduler.register('breakglass.review', (job, run) => nudges.reviewDue(job, run));
  const request = await t.breakGlass();
  // The card a proactive post takes its service URL, bot and tenant from.
  await t.store.addCardCopy({
    requestId: request.id,
    role: 'requester',
    activityId: 'act-1',
    conversation: { serviceUrl: 'https://smba.example/emea/', conversation: { id: 'a:olive', tenantId: TENANT } },
  });
  /** Runs the review job once it is due: the daily report and its entry. */
  const report = async () => {
    t.clock.set(new Date((await t.jobs.get(breakGlassReviewJobId(request.id)))!.dueAt));
    expect(await t.scheduler.runDue()).toBe(1);
    const entries = (await t.audit.forRequest(request.id)).filter((e) => e.action === 'breakglass.unreviewed');
    return entries[entries.length - 1]!;
  };
  return { ...t, reload, teams, request, report };
}

/** `actor`'s revoke of `request`: true when allowed, else the refusal's code and words. */
async function revoke(
  service: ConstructorParameters<typeof AccessActions>[0],
  actor: Actor,
  request: AccessRequest,
): Promise<true | { code?: string; message: string }> {
  const actions = new AccessActions(service, {} as never, {} as never);
  return actions.mayRevoke({ actor, tenantId: TENANT }, request).then(
    () => true as const,
    (err: { code?: string; message: string }) => ({ code: err.code, message: err.message }),
  );
}

describe('a break-glass grant left to nobody by a reload (its pair uncovered, its approvers named nowhere)', () => {
  test('a revoke by anyone but its requester is refused saying no rule covers the pair and what to do', async () => {
    const t = await setup();
    t.reload(devOnly('hash-2'));
    const stored = (await t.store.get(t.request.id))!;
    for (const who of [APPROVER, SAM, OUTSIDER]) {
      const refused = await revoke(t.service, who, stored);
      expect(refused).toEqual({
        code: 'revoke.notAllowed',
        message: `No rule of the approval policy in force covers ${PAIR} any more, and none of the approvers rule prod had is in the policy, so nobody but the requester of ${t.request.id} may revoke it; nothing was changed. To have it revoked, ask its requester, or ask the platform team to add a rule covering ${PAIR} to the approval policy: its approvers could then revoke it.`,
      });
    }
    // Its requester still revokes their own access.
    expect(await revoke(t.service, OLIVE, stored)).toBe(true);

    // Alice named again elsewhere: she revokes under prod as it was; Sam is told who may.
    t.reload(devNamingAlice);
    expect(await revoke(t.service, APPROVER, stored)).toBe(true);
    expect(await revoke(t.service, SAM, stored)).toEqual({
      code: 'revoke.notAllowed',
      message: `No rule of the approval policy in force covers ${PAIR} any more, so only the requester of ${t.request.id} or those of the approvers rule prod had whom the policy still names may revoke it, and you are not one of them; nothing was changed. Ask one of them, or ask the platform team to add a rule covering ${PAIR} to the approval policy: its approvers could then revoke it.`,
    });

    // Covered again: the plain refusal, naming the rule.
    t.reload(policy([rule('prod', { approvers: { users: [APPROVER.objectId], groups: [] } })], 'hash-4'));
    expect(await revoke(t.service, SAM, stored)).toEqual({
      code: 'revoke.notAllowed',
      message: `Only the requester of ${t.request.id} or an approver of its rule (prod) may revoke it; nothing was changed.`,
    });
  });

  test('the daily report goes to the approvals channel, not the removed rule’s, and its entry says the pair is uncovered', async () => {
    const t = await setup();
    t.reload(devOnly('hash-2'));
    const entry = await t.report();
    expect(t.teams.posts.map((c) => c.split(';')[0])).toEqual([APPROVALS]);
    expect(entry.outcome).toBe('reported');
    expect(entry.detail).toContain(
      '; no rule of the policy in force covers the pair, and it names none of the approvers rule prod had: nobody can review it until a rule for the pair is added',
    );
  });

  test('with some of its approvers still named, the report still goes to the rule’s channel and its entry says who reviews it', async () => {
    const t = await setup();
    t.reload(devNamingAlice);
    const entry = await t.report();
    expect(t.teams.posts.map((c) => c.split(';')[0])).toEqual([PROD_CHANNEL]);
    expect(entry.detail).toContain(
      '; no rule of the policy in force covers the pair: those of the approvers rule prod had whom it still names review it',
    );
  });

  test('covered by its rule: the report goes to the rule’s channel and its entry says nothing of cover', async () => {
    const t = await setup();
    const entry = await t.report();
    expect(t.teams.posts.map((c) => c.split(';')[0])).toEqual([PROD_CHANNEL]);
    expect(entry.detail).not.toContain('covers the pair');
  });
});

/**
 * A break-glass grant whose rule a reload left naming only its requester (rule prod named Alex
 * and Olive; Olive used break-glass; prod now names Olive alone): Alex is no longer an approver
 * and Olive may not review her own grant, so nobody can review it and it stays owed. Both
 * refusals say so and that an approver must be added to the rule; the daily report, its
 * `breakglass.unreviewed` entry and the operators' warning say so too, instead of "Approvers:
 * @acrbot pending R-…". A rule with a group may hold someone else and is not judged; an
 * uncovered pair whose rule's approvers the policy still names only the requester of is left to
 * nobody likewise. Real RequestService, CardMessenger, ApprovalNudges, memory stores and
 * Scheduler; the policy is reloaded by swapping what the provider answers.
 */
import type { Activity, CloudAdapter, ConversationReference } from 'botbuilder';
import { Writable } from 'node:stream';
import { CardMessenger } from '../../src/bot/card-messenger';
import { awaitingReview, type Policy } from '../../src/domain/policy';
import { ApprovalNudges, type NudgeNotifier } from '../../src/flows/approval-nudges';
import { breakGlassReviewJobId } from '../../src/flows/request-jobs';
import { createLogger } from '../../src/observability/logger';
import { reloadableBreakGlassService } from './support/break-glass-service';
import { APPROVERS_GROUP, OLIVE, policy, rule, SAM, TENANT } from './support/policy-fixtures';
import { APPROVER } from './support/requests';

const PROD_CHANNEL = '19:prod-approvers@thread.tacv2';
const APPROVALS = '19:approvals@thread.tacv2';
const PAIR = 'aks-prod → contosoacr';

/** Rule prod for every pair, approved by `users` (and `groups`), asked in its own channel. */
const prod = (users: string[], groups: string[] = [], hash = 'hash-1'): Policy => {
  const p = policy([rule('prod', { approvers: { users, groups }, channel: PROD_CHANNEL })], hash);
  // No break-glass channel: the report goes where the rule's approvers are asked.
  return { ...p, breakGlass: { ...p.breakGlass!, channel: undefined } };
};

/** Records what each proactive post carried, by conversation. */
class CapturingAdapter {
  readonly posts: Array<{ conversation: string; text: string }> = [];
  async continueConversationAsync(
    _appId: string,
    reference: Partial<ConversationReference>,
    logic: (ctx: unknown) => Promise<void>,
  ): Promise<void> {
    await logic({
      onSendActivities: () => undefined,
      sendActivity: async (activity: Partial<Activity>) => {
        this.posts.push({ conversation: String(reference.conversation?.id), text: JSON.stringify(activity) });
        return { id: `post-${this.posts.length}` };
      },
    });
  }
}

async function setup(initial: Policy) {
  const t = reloadableBreakGlassService(initial);
  const teams = new CapturingAdapter();
  const warnings: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      const line = JSON.parse(String(chunk)) as { level: number };
      if (line.level === 40) warnings.push(line);
      done();
    },
  });
  const messenger = new CardMessenger(
    teams as unknown as CloudAdapter,
    'app-1',
    t.store,
    createLogger({ level: 'warn', destination: sink }),
    undefined,
    { approvalChannelId: APPROVALS, defaultAccessMs: 3_600_000 },
  );
  messenger.ruleOf = (request) => t.service.ruleOf(request);
  const notifier: NudgeNotifier = {
    requestChanged: async () => undefined,
    nudgeApprovers: async () => undefined,
    breakGlassUnreviewed: (request) => messenger.breakGlassUnreviewed(request),
  };
  const current = { policy: initial };
  const reload = (next: Policy) => {
    current.policy = next;
    t.reload(next);
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
  /** Runs the review job once it is due: the daily report's card, its entry and the warnings. */
  const report = async () => {
    t.clock.set(new Date((await t.jobs.get(breakGlassReviewJobId(request.id)))!.dueAt));
    expect(await t.scheduler.runDue()).toBe(1);
    const entries = (await t.audit.forRequest(request.id)).filter((e) => e.action === 'breakglass.unreviewed');
    return { entry: entries[entries.length - 1]!, posts: teams.posts, warnings };
  };
  /** `actor`'s click on the grant's review, as its refusal's reason and words. */
  const click = async (actor: typeof OLIVE) => {
    const result = await t.review(request.id, actor, 'ok, INC-4711');
    return result.kind === 'refused' ? { reason: result.reason, message: result.message } : result.kind;
  };
  return { ...t, reload, request, report, click, messenger, teams };
}

describe('a break-glass grant whose rule a reload left naming only its requester', () => {
  test('both clicks are refused saying nobody can review it and that an approver must be added; it stays owed', async () => {
    const t = await setup(prod([APPROVER.objectId, OLIVE.objectId]));
    t.reload(prod([OLIVE.objectId], [], 'hash-2'));
    expect(await t.click(APPROVER)).toEqual({
      reason: 'notApprover',
      message: `Rule prod names only the requester of break-glass request ${t.request.id} as its approver, who may not review it, so nobody can review it until an approver is added to rule prod. Ask the platform team to add one: they would then review it.`,
    });
    expect(await t.click(OLIVE)).toEqual({
      reason: 'self',
      message: `You used break-glass for request ${t.request.id} yourself, so an approver must review it, but rule prod names only you as its approver, so nobody can review it until an approver is added to rule prod. Ask the platform team to add one: they would then review it.`,
    });
    expect(awaitingReview((await t.store.get(t.request.id))!)).toBe(true);

    // An approver added back: the plain refusal again, and they review it.
    t.reload(prod([OLIVE.objectId, SAM.objectId], [], 'hash-3'));
    expect(await t.click(APPROVER)).toEqual({
      reason: 'notApprover',
      message: `Only approvers of rule prod can review break-glass request ${t.request.id}.`,
    });
    expect(await t.click(OLIVE)).toEqual({
      reason: 'self',
      message: `You used break-glass for request ${t.request.id} yourself, so an approver must review it.`,
    });
    expect(await t.click(SAM)).toBe('reviewed');
  });

  test('the daily report, its entry and the warning say nobody can review it until an approver is added', async () => {
    const t = await setup(prod([APPROVER.objectId, OLIVE.objectId]));
    t.reload(prod([OLIVE.objectId], [], 'hash-2'));
    const { entry, posts, warnings } = await t.report();
    expect(posts.map((p) => p.conversation)).toEqual([PROD_CHANNEL]);
    expect(posts[0]!.text).toContain(
      `Rule prod names only its requester as approver, who may not review it, so nobody can review it until an approver is added to rule prod in the approval policy: they would then review it with \\"@acrbot pending ${t.request.id}\\". Its requester can still revoke their own access.`,
    );
    expect(posts[0]!.text).not.toContain('Approvers: ');
    expect(entry.outcome).toBe('reported');
    expect(entry.detail).toContain(
      '; rule prod names only its requester as approver: nobody can review it until an approver is added to the rule',
    );
    expect(warnings).toContainEqual(
      expect.objectContaining({
        requestId: t.request.id,
        policyRule: 'prod',
        msg: 'a break-glass review is owed under a rule that names only its requester as approver: nobody can review it; add an approver to the rule',
      }),
    );
  });

  test("the alert of its use and the requester's outcome card say nobody can review it, not that approvers must", async () => {
    const t = await setup(prod([APPROVER.objectId, OLIVE.objectId]));
    t.reload(prod([OLIVE.objectId], [], 'hash-2'));
    const nobody = `Rule prod names only its requester as approver, who may not review it, so nobody can review it until an approver is added to rule prod in the approval policy`;
    expect(await t.messenger.breakGlassUsed(t.request, undefined)).toBe(true);
    await t.messenger.requestChanged((await t.store.get(t.request.id))!);
    const [used, outcome] = [t.teams.posts[0]!.text, t.teams.posts.at(-1)!.text];
    expect(used).toContain(`but nobody can give it yet. ${nobody}:`);
    expect(used).not.toContain('An approver must review it');
    expect(outcome).toContain(`but nobody can give it yet: ${nobody}`);
    expect(outcome).not.toContain('approvers review it by');
  });

  test('with a group besides the requester, someone may review it: the usual words', async () => {
    const t = await setup(prod([APPROVER.objectId, OLIVE.objectId]));
    t.reload(prod([OLIVE.objectId], [APPROVERS_GROUP], 'hash-2'));
    expect(await t.click(OLIVE)).toEqual({
      reason: 'self',
      message: `You used break-glass for request ${t.request.id} yourself, so an approver must review it.`,
    });
    const { entry, posts, warnings } = await t.report();
    expect(posts[0]!.text).toContain(`Approvers: \\"@acrbot pending ${t.request.id}\\"`);
    expect(entry.detail).not.toContain('nobody');
    expect(warnings).toEqual([]);
  });

  test('its pair uncovered, the policy naming none of its rule’s approvers but the requester: nobody can review it', async () => {
    const t = await setup(prod([APPROVER.objectId, OLIVE.objectId]));
    // Only a dev rule is left, and Olive is its approver: of prod's approvers, only she is named.
    const devNamingOlive = policy(
      [rule('dev', { match: { cluster: ['aks-dev*'] }, approvers: { users: [OLIVE.objectId], groups: [] } })],
      'hash-2',
    );
    t.reload({ ...devNamingOlive, breakGlass: { ...devNamingOlive.breakGlass!, channel: undefined } });
    expect(await t.click(APPROVER)).toEqual({
      reason: 'notApprover',
      message: `No rule of the approval policy in force covers ${PAIR}, and of the approvers rule prod had it names only the requester of break-glass request ${t.request.id}, who may not review it, so nobody can review it until a rule for ${PAIR} is added. Ask the platform team to add one: its approvers would then review it.`,
    });
    expect(await t.click(OLIVE)).toEqual({
      reason: 'self',
      message: `You used break-glass for request ${t.request.id} yourself, so an approver must review it, but no rule of the approval policy in force covers ${PAIR}, and it names none of the approvers rule prod had but you, so nobody can review it until a rule for ${PAIR} is added. Ask the platform team to add one: its approvers would then review it.`,
    });
    const { entry, posts, warnings } = await t.report();
    expect(posts[0]!.text).toContain(
      `No rule of the approval policy in force covers ${PAIR}, and of the approvers rule prod had it names only its requester, who may not review it, so nobody can review it until a rule for ${PAIR} is added to the approval policy`,
    );
    expect(entry.detail).toContain(
      '; no rule of the policy in force covers the pair, and it names none of the approvers rule prod had but its requester: nobody can review it until a rule for the pair is added',
    );
    expect(warnings).toContainEqual(
      expect.objectContaining({
        requestId: t.request.id,
        msg: 'a break-glass review is owed for a pair no rule of the approval policy covers now, and the policy names none of the approvers its rule had: nobody can review it; add a rule for the pair',
      }),
    );
  });
});

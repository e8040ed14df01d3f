/**
 * Grouped approval nudges on real parts (nudge-world.ts): a rule `prod` reminding in one channel
 * after an hour, nudges posted through a real CardMessenger and a recording adapter, card redraws
 * only counted. Shared by the grouped-nudge tests.
 */
import type { CloudAdapter } from 'botbuilder';
import { CardMessenger } from '../../../src/bot/card-messenger';
import type { ApproveRefusal } from '../../../src/domain/approve-refused';
import type { NudgeSignIns } from '../../../src/domain/nudge-group';
import type { PolicyRule } from '../../../src/domain/policy';
import type { AccessRequest, Actor } from '../../../src/domain/request';
import type { NudgeNotifier } from '../../../src/flows/approval-nudges';
import { createLogger } from '../../../src/observability/logger';
import { HOUR } from './fake-clock';
import { nudgeWorld } from './nudge-world';
import { APPROVERS_GROUP, policy, rule, SAM } from './policy-fixtures';
import { RecordingAdapter } from './recording-adapter';
import { APPROVER, newGrant } from './requests';

/** The rule's channel. */
export const RULE_CHANNEL = '19:prod@thread.tacv2';

/** The nudges through a real CardMessenger (with why an Approve would be refused); card redraws are only counted. */
export class Chat implements NudgeNotifier {
  messenger!: CardMessenger;
  readonly redrawn: string[] = [];
  async requestChanged(request: AccessRequest) {
    this.redrawn.push(request.id);
  }
  nudgeApprovers(
    request: AccessRequest,
    r: PolicyRule,
    kind: 'remind' | 'escalate',
    approveRefused?: ApproveRefusal,
    signIns?: NudgeSignIns,
  ) {
    return this.messenger.nudgeApprovers(request, r, kind, approveRefused, signIns);
  }
  nudgeApproversGrouped(
    requests: readonly AccessRequest[],
    r: PolicyRule,
    kind: 'remind' | 'escalate',
    now: Date,
    approveRefused?: ReadonlyMap<string, ApproveRefusal>,
    signIns?: NudgeSignIns,
  ) {
    return this.messenger.nudgeApproversGrouped(requests, r, kind, now, approveRefused, signIns);
  }
  async breakGlassUnreviewed() {}
}

const reminding = (extra: Partial<PolicyRule> = {}) =>
  policy([
    rule('prod', {
      channel: RULE_CHANNEL,
      approvers: { users: [SAM.objectId, APPROVER.objectId], groups: [APPROVERS_GROUP], name: 'Platform Approvers' },
      remindAfterMs: HOUR,
      ...extra,
    }),
  ]);

/** The world under rule `prod` (with `extra`), posting through a recording adapter. */
export function groupedNudgeWorld(extra: Partial<PolicyRule> = {}) {
  const chat = new Chat();
  const adapter = new RecordingAdapter();
  const world = nudgeWorld(chat, reminding(extra));
  chat.messenger = new CardMessenger(
    adapter as unknown as CloudAdapter,
    'app-1',
    world.store,
    createLogger({ level: 'silent' }),
  );
  /** Files a request by `by` and gives it the requester's card, whose service URL posts go by. */
  const create = async (by: Actor) => {
    // A second apart: the store lists them in the order they were filed.
    world.clock.advance(1000);
    const request = await world.service.create(newGrant(by));
    await world.store.addCardCopy({
      requestId: request.id,
      activityId: `card-${request.id}`,
      role: 'requester',
      conversation: { serviceUrl: 'https://smba.example/emea/', conversation: { id: 'a:requester', tenantId: 't' } },
    });
    return request;
  };
  /** Writes `patch` into the request's policy binding, as a run would. */
  const mark = async (id: string, patch: Record<string, string>) => {
    const current = (await world.store.get(id))!;
    await world.store.update({ ...current, version: current.version + 1, policy: { ...current.policy!, ...patch } });
  };
  /** Rewrites the stored request by `edit`, as another write landing on it would. */
  const change = async (id: string, edit: (r: AccessRequest) => Partial<AccessRequest>) => {
    const current = (await world.store.get(id))!;
    await world.store.update({ ...current, ...edit(current), version: current.version + 1 });
  };
  const reminded = async (id: string) =>
    (await world.audit.forRequest(id)).filter((e) => e.action === 'approval.reminded');
  return { ...world, chat, adapter, create, mark, change, reminded };
}

/** A person of their own (no approver of the rule), numbered. */
export function person(n: number): Actor {
  return { objectId: `0a000000-0000-4000-8000-${String(100_000 + n).padStart(12, '0')}`, name: `Person ${n}` };
}

/**
 * Who gets their own view of a request's card through `refresh.userIds` (CONTRACTS §7a): the
 * requester and the named approvers, by Teams id, asked of Teams in the card's conversation and
 * remembered; and the request card as posted for them.
 */
import { type ConversationReference, TeamsInfo, type TurnContext } from 'botbuilder';
import type { ApproveRefusal } from '../domain/approve-refused';
import type { PolicyRule } from '../domain/policy';
import type { CardCopy, Clock } from '../domain/ports';
import type { AccessRequest } from '../domain/request';
import type { Logger } from '../observability/logger';
import type { AdaptiveCardJson } from '../views/card-templates';
import { MAX_CARD_VIEWERS, requestCard } from '../views/request-view';

/** People remembered in the Teams-id caches before they are emptied (a tenant's active users fit). */
const MAX_REMEMBERED = 10_000;

/**
 * How long Teams' answer that someone is not a member of a conversation (404) is believed before
 * they are asked about again there. The answer goes stale when they join (an approver added to
 * the approvals channel): until it expires, the cards this instance draws there leave them out
 * of `refresh.userIds` (no Approve/Reject view), while an instance that asked after they joined
 * gives them one. An hour: such an approver is left out of the cards written there in at most the
 * first hour after joining. Shorter would cost more member lookups: each expiry asks again about
 * every absent person in each conversation, and a busy channel's cards are written many times an
 * hour (without this memory it would be one lookup per absent person per card write, against
 * Teams' 3,600 member reads an hour per thread, CONTRACTS §6).
 */
export const ABSENT_MEMBER_TTL_MS = 60 * 60_000;

/** The Teams ids of a request card's viewers, one instance's memory of what Teams answered. */
export class CardViewers {
  /**
   * @param approverIdsOf object ids of the people named as approvers of a request (bound late:
   *   the composition root wires it on the messenger after construction).
   * @param inConversation runs a member lookup in a conversation outside any turn.
   * @param clock times how long a "not a member" answer is believed ({@link ABSENT_MEMBER_TTL_MS}).
   */
  constructor(
    private readonly approverIdsOf: (request: AccessRequest) => readonly string[],
    private readonly inConversation: (
      reference: Partial<ConversationReference>,
      work: (ctx: TurnContext) => Promise<void>,
    ) => Promise<void>,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Entra object id → Teams user id (MRI): one per person in the tenant, whatever the conversation. */
  private readonly teamsIds = new Map<string, string>();
  /**
   * `<conversation id> <object id>` of people Teams said are not in that conversation, with when
   * it said so (ms, {@link clock}). Kept per conversation: not being a member of the requester's
   * chat says nothing of the approvals channel. Believed for {@link ABSENT_MEMBER_TTL_MS} only,
   * as people join conversations.
   */
  private readonly absent = new Map<string, number>();

  /** Whether Teams said, within {@link ABSENT_MEMBER_TTL_MS}, that `key`'s person is not in its conversation. */
  private isAbsent(key: string, now: number): boolean {
    const since = this.absent.get(key);
    if (since === undefined) return false;
    // A clock moved back (a test's, or the process clock corrected) counts as expired, not as new.
    if (now - since < ABSENT_MEMBER_TTL_MS && now >= since) return true;
    this.absent.delete(key);
    return false;
  }

  /** Remembers the Teams id of whoever a conversation reference names (the user of a turn). */
  private learn(reference: Partial<ConversationReference> | undefined): void {
    const user = reference?.user as { id?: string; aadObjectId?: string } | undefined;
    if (user?.id && user.aadObjectId) this.teamsIds.set(user.aadObjectId.toLowerCase(), user.id);
  }

  /**
   * The Teams ids that get their own view of a request's card through `refresh.userIds`
   * (CONTRACTS §7a): the requester and the named approvers. Unknown ids are asked of Teams once
   * (`GET /v3/conversations/{id}/members/{objectId}`) in the card's conversation.
   */
  async viewersOf(
    request: AccessRequest,
    reference: Partial<ConversationReference>,
  ): Promise<{ all: string[]; approvers: string[] }> {
    this.learn(reference);
    const requester = request.requester.objectId.toLowerCase();
    const approvers = this.approverIdsOf(request)
      .map((id) => id.toLowerCase())
      .filter((id, i, all) => id !== requester && all.indexOf(id) === i)
      .slice(0, MAX_CARD_VIEWERS - 1);
    // A channel thread's id is the channel's plus `;messageid=…`: its members are the channel's.
    const where = (reference.conversation?.id ?? '').split(';')[0];
    const now = this.clock.now().getTime();
    const unknown = [requester, ...approvers].filter(
      (id) => !this.teamsIds.has(id) && !this.isAbsent(`${where} ${id}`, now),
    );
    if (unknown.length)
      await this.inConversation(reference, async (ctx) => {
        // Bounded: both are caches of what Teams answers, refilled by asking again.
        if (this.teamsIds.size > MAX_REMEMBERED) this.teamsIds.clear();
        if (this.absent.size > MAX_REMEMBERED) this.absent.clear();
        for (const id of unknown) {
          try {
            const member = await TeamsInfo.getMember(ctx, id);
            if (typeof member?.id === 'string' && member.id) this.teamsIds.set(id, member.id);
            else this.absent.set(`${where} ${id}`, this.clock.now().getTime());
          } catch (err) {
            // Not a member of this conversation (or the connector does not list members): they
            // see this copy as posted. Remembered for this conversation for ABSENT_MEMBER_TTL_MS,
            // so asked about once an hour there, not at every card write; not after a failure
            // that says nothing about them (throttled, refused credentials, 5xx, no answer), or
            // one bad moment would keep an approver from their view there meanwhile.
            if (saysAbsent(err)) this.absent.set(`${where} ${id}`, this.clock.now().getTime());
            this.log.warn({ err, requestId: request.id, objectId: id }, 'no Teams id for a card viewer');
          }
        }
      });
    const known = (ids: string[]) => ids.map((id) => this.teamsIds.get(id)).filter((id): id is string => Boolean(id));
    return { all: known([requester, ...approvers]), approvers: known(approvers) };
  }
}

/**
 * A request card as posted (see {@link CardMessenger.postedRequestCard}), for viewers already
 * looked up. `reviewers`: the rule whose approvers review an owed break-glass review now
 * (RequestService.ruleOf, as `status` passes it): when nobody can review it as the policy stands,
 * every copy says so, not that an approver must (request-view.ts `nobodyReviewsOwed`).
 */
export function postedCardFor(
  request: AccessRequest,
  role: CardCopy['role'],
  viewers: { all: string[]; approvers: string[] },
  approveRefused?: ApproveRefusal,
  reviewers?: PolicyRule,
): AdaptiveCardJson {
  return requestCard(request, {
    showActions: role === 'approver' && viewers.approvers.length === 0,
    viewers: viewers.all,
    // Said on the copy that keeps Approve for all (request-view.ts draws it only with the buttons).
    approveRefused,
    ...(reviewers ? { reviewers } : {}),
  });
}

/**
 * Whether a failed member lookup is an answer about the person: Teams' 404
 * (`MemberNotFoundInConversation` from the members endpoint, CONTRACTS §6: not in that
 * conversation), or 501 (a connector without the members API names nobody there). Anything else
 * says nothing about them, and they are asked about again at the next card write: a failure of
 * the moment (408, 429, a 5xx, no answer) or a refusal of acrbot's own call (401 credentials
 * rejected, 403 acrbot not in the conversation, 400). Remembering those would leave everyone a
 * credential hiccup happened to ask about without their view until the answer expired.
 */
function saysAbsent(err: unknown): boolean {
  const status = (err as { statusCode?: unknown } | undefined)?.statusCode;
  return status === 404 || status === 501;
}

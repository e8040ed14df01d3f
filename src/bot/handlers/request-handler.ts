/**
 * Grant and secret requests, whichever way they arrived (inline arguments, the dialog, the
 * form): validate, plan, store the request, give the requester the plan card and post the
 * approval card. The form differs only in where the requester's copy goes (it replaces the form).
 */
import { type ConversationReference, TurnContext } from 'botbuilder';
import { z } from 'zod/v3';
import { isDefaultTerm } from '../../domain/access-term';
import { isUserFacing } from '../../domain/errors';
import type { AccessRequest, AccessTerm, PullsThrough } from '../../domain/request';
import { keepingExisting, pullsThroughOf, secretPullsThroughOf } from '../../domain/pulls-through';
import type { SecretCommandOptions } from '../../domain/command';
import { parseClusterRef, parseRegistryRef } from '../../domain/names';
import { isOtherTenant } from '../../domain/own-tenant';
import { swappedNames } from '../../domain/swapped-names';
import type { GrantPlan, Plan } from '../../domain/plan';
import { checkReason, cutText, REASON_LIMITS, singleLine, tooLongClause, tooLongSentence } from '../../domain/text';
import { alreadyGrantedCard, grantFormCard, messageCard } from '../../views/message-view';
import { errorText, requestCard } from '../../views/request-view';
import type { AdaptiveCardJson } from '../../views/card-templates';
import type { BotServices } from '../bot-services';
import { activityKeyOf, approvalTarget, originOf, sameConversation } from '../conversation-targets';
import { currentCorrelationId } from '../../observability/correlation';
import { errorCardFor, gateRefusalTitle, sendCard } from '../turn-cards';
import type { TurnIdentity } from '../turn-identity';
import { auditBadCardData, auditPlanningFailure } from '../validation-audit';
import { auditLimitRefusal } from '../../flows/limit-audit';
import { approvalPostedEntry } from '../../flows/approval-posted-entry';
import { approvalCardNotPostedText, approvalRefusedEntry, REQUESTER_NOT_TOLD } from '../../flows/approval-announce';
import { PostedNotRecorded } from '../posted-not-recorded';
import { TeamsPostRefused } from '../teams-refusal';
import { typingWhenSlow } from '../typing-when-slow';
import type { OwnCards } from '../own-cards';

/** What the user gave. */
export interface GrantInput {
  cluster: string;
  registry: string;
  reason: string;
  /** `--for DURATION` as typed (default when absent). */
  duration?: string;
  /** `--break-glass`: execute at once, reviewed afterwards (policy breakGlass). */
  breakGlass?: boolean;
}

/** What the user gave for a secret. */
export interface SecretInput extends GrantInput {
  options: SecretCommandOptions;
}

/** The result of preparing a request: a stored request, or the card that answers instead. */
export type RequestPreparation =
  { kind: 'card'; card: AdaptiveCardJson; error?: string } | { kind: 'created'; request: AccessRequest };

/** What a turn tells about where a request comes from, taken before any background work. */
interface TurnFacts {
  origin: AccessRequest['origin'];
  /** Teams activity id of the message or invoke (redelivery, G16). */
  activityId?: string;
  /** The request dialog whose answers these are; it is admitted once, whatever message completes it. */
  dialogId?: string;
  /** The requester's conversation. */
  reference: Partial<ConversationReference>;
  /** Where the approvers' copy goes for an approvals channel id, if anywhere (read from the turn's activity). */
  approvalFor(channelId: string | undefined): Partial<ConversationReference> | undefined;
}

function factsOf(ctx: TurnContext): TurnFacts {
  // The activity outlives the turn; the TurnContext does not (background planning uses these).
  const turn = { activity: ctx.activity } as TurnContext;
  return {
    origin: originOf(ctx),
    activityId: ctx.activity.id ? String(ctx.activity.id).slice(0, 200) : undefined,
    reference: TurnContext.getConversationReference(ctx.activity),
    approvalFor: (channelId) => approvalTarget(turn, channelId),
  };
}

/**
 * What was asked, for an audited refusal or planning failure: the kind and the names as typed,
 * each cut to a name's length between whole characters ({@link cutText}: a name of emoji cut by
 * code units would leave half of one, a lone surrogate, in the entry; the audit scrubs and
 * escapes details).
 */
function askedAsTyped(input: GrantInput | SecretInput): string {
  return `${'options' in input ? 'secret' : 'grant'} ${cutText(input.cluster, 100)} ${cutText(input.registry, 100)}`;
}

/** The grant form's fields (untrusted card data); their lengths are checked by {@link tooLongField}, which says which one. */
const grantForm = z.object({
  cluster: z.string().default(''),
  registry: z.string().default(''),
  reason: z.string().default(''),
});

/** Longest cluster or registry the form takes: a full resource id is about 250 characters. */
const FORM_NAME_MAX = 400;

/** Most of a too-long field put back into the form, to be shortened there (the card stays small). */
const FORM_PREFILL_MAX = 4000;

/**
 * The form's first field that is longer than it may be, as the message that says so; the
 * reason counts as stored (cleaned, on one line), against the limit every reason has, and is
 * refused in the words {@link checkReason} uses ({@link tooLongSentence}: an emoji counts two,
 * and the sentence says so rather than calling 300 emoji 600 characters).
 */
function tooLongField(form: z.infer<typeof grantForm>): string | undefined {
  for (const field of ['cluster', 'registry'] as const)
    if (form[field].length > FORM_NAME_MAX)
      return `${tooLongClause(field, form[field])}; a name, resourceGroup/name or resource id fits in ${FORM_NAME_MAX}. Nothing was requested.`;
  const reason = singleLine(form.reason);
  if (reason.length > REASON_LIMITS.max)
    return `${tooLongSentence('reason', reason, REASON_LIMITS.max)} Nothing was requested.`;
  return undefined;
}

/** Handles grant and secret requests. */
export class RequestHandler {
  constructor(
    private readonly services: BotServices,
    /** The forms acrbot posted: only those may become a requester's copy (own-cards.ts). */
    private readonly ownCards: OwnCards,
  ) {}

  /**
   * Text command / dialog: plan (typing shown if that is slow), the plan card as a reply, the
   * approval card. `dialogId`: the request dialog that collected `input` (G16: one request per
   * dialog, however many of its last answers arrive at once).
   */
  async handle(
    ctx: TurnContext,
    identity: TurnIdentity,
    input: GrantInput | SecretInput,
    dialogId?: string,
  ): Promise<void> {
    const beforeAnswer = typingWhenSlow(ctx);
    const facts = { ...factsOf(ctx), dialogId };
    let prepared: RequestPreparation;
    try {
      prepared = await this.prepare(facts, identity, input);
    } catch (err) {
      // The planning error is what the turn reports; an indicator that failed too is logged only.
      await beforeAnswer().catch((indicatorErr: unknown) =>
        this.services.log.warn({ err: indicatorErr }, 'typing indicator failed while planning failed'),
      );
      throw err;
    }
    // The indicator is cosmetic: once a request may be stored, its failure must not end the turn
    // before the plan and approval cards (the user would be told nothing changed).
    await beforeAnswer().catch((indicatorErr: unknown) =>
      this.services.log.warn({ err: indicatorErr }, 'typing indicator failed; the answer is sent anyway'),
    );
    if (prepared.kind === 'card') {
      await sendCard(ctx, prepared.card, this.services.log);
      return;
    }
    const { messenger } = this.services;
    // Auto-approved or break-glass: decided by the policy already, it runs now.
    const shown =
      prepared.request.state === 'approved' ? { ...prepared.request, state: 'executing' as const } : prepared.request;
    const card = requestCard(shown, { showActions: false });
    await this.announceAt(
      facts,
      prepared.request,
      () => messenger.replyAndTrack(ctx, prepared.request, card, 'requester'),
      async (text) => void (await ctx.sendActivity(text)),
    );
  }

  /**
   * The grant form's submit, answered at once (Teams shows "Unable to reach app" when an invoke
   * takes more than a few seconds, G16): the answer replaces the form with a "planning" card,
   * and the planning runs after the response and then replaces that card with the plan (or
   * the form again with the error). "Already exists" is an answer, not a form error.
   */
  async submitForm(ctx: TurnContext, identity: TurnIdentity, data: unknown): Promise<AdaptiveCardJson> {
    const sandbox = this.services.settings.sandbox;
    const form = grantForm.safeParse(data ?? {});
    if (!form.success) {
      await auditBadCardData(this.services.requests, identity, 'grantForm');
      return grantFormCard({ sandbox, error: 'The form was not understood; fill in all three fields and try again.' });
    }
    const tooLong = tooLongField(form.data);
    if (tooLong) {
      // A refusal like any invalid request (audited, G11), answered at once: nothing is planned.
      await this.services.requests.recordRefusal({
        actor: identity.actor,
        tenantId: identity.tenantId,
        action: 'validation.failed',
        outcome: 'validation.tooLong',
        detail: `grant form: ${tooLong}`,
      });
      return grantFormCard({
        sandbox,
        // Cut between whole characters (cutText): half an emoji would show as U+FFFD in the box.
        cluster: cutText(form.data.cluster, FORM_PREFILL_MAX),
        registry: cutText(form.data.registry, FORM_PREFILL_MAX),
        reason: cutText(form.data.reason, FORM_PREFILL_MAX),
        error: tooLong,
      });
    }
    const facts = factsOf(ctx);
    // The invoke response replaces the form in place, so the form's message becomes the requester's
    // copy. Its id (`replyToId`) is the client's word: taken only for a form acrbot remembers
    // posting in this conversation and no other submit took (own-cards.ts); else the plan, or the
    // error, is posted as a new message, and no other card of acrbot's can be overwritten or
    // recorded as this request's copy. The normal submit of a form acrbot posted still updates it.
    const conversationId = ctx.activity.conversation.id;
    const claimed = ctx.activity.replyToId;
    const formId = (await this.ownCards.claim('grantForm', conversationId, claimed)) ? claimed : undefined;
    const { messenger, background } = this.services;
    background.run('grant form', async () => {
      let prepared: RequestPreparation;
      try {
        prepared = await this.prepare(facts, identity, form.data);
      } catch (err) {
        // Nothing was stored: the "planning" card becomes the error, with the reference to quote.
        const card = errorCardFor(this.services, err, 'Could not plan that request');
        if (formId) await messenger.updateCard(facts.reference, formId, card);
        else await messenger.send(facts.reference, card);
        return;
      }
      if (prepared.kind === 'card') {
        // The error quotes the input, and the form's message is updated for everyone in the
        // conversation: grantFormCard shows it (and the fields) as error text, secrets scrubbed.
        const card = prepared.error ? grantFormCard({ sandbox, ...form.data, error: prepared.error }) : prepared.card;
        if (formId) {
          await messenger.updateCard(facts.reference, formId, card);
          // A form again: its next submit may take it (the corrected request).
          if (prepared.error) await this.ownCards.release('grantForm', conversationId, formId);
        } else {
          const id = await messenger.send(facts.reference, card);
          if (prepared.error) await this.ownCards.remember('grantForm', conversationId, id);
        }
        return;
      }
      const { request } = prepared;
      await this.announceAt(
        facts,
        request,
        async () => {
          const card = await messenger.withRequestViewers(
            request,
            facts.reference,
            requestCard(request, { showActions: false }),
          );
          if (formId) {
            await messenger.updateCard(facts.reference, formId, card);
            await messenger.trackAt(facts.reference, request.id, formId, 'requester');
          } else {
            const id = await messenger.send(facts.reference, card);
            if (id) await messenger.trackAt(facts.reference, request.id, id, 'requester');
          }
        },
        async (text) => void (await messenger.send(facts.reference, messageCard({ title: 'Note', text, sandbox }))),
      );
    });
    // Not validated yet: the names as typed are user text, and may be a secret pasted into the
    // wrong field, shown here to everyone in the conversation: error text (scrubbed, inert), on
    // one line (a newline would let a forged field add lines such as "Approved by …"). Scrubbed
    // whole, then cut by code point (no character cut in half): a credential cut first might no
    // longer look like one.
    const echo = (field: string) => {
      const shown = [...errorText(singleLine(field))];
      return shown.length > 100 ? `${singleLine(shown.slice(0, 100).join(''))}…` : shown.join('');
    };
    const cluster = echo(form.data.cluster) || 'the cluster';
    const registry = echo(form.data.registry) || 'the registry';
    return messageCard({
      title: 'Planning your request…',
      text: formId
        ? `acrbot is checking ${cluster} and ${registry}; this card changes to the plan in a moment.`
        : `acrbot is checking ${cluster} and ${registry}; the plan follows in a new message in a moment.`,
      sandbox,
    });
  }

  /** Validates, plans and stores a request; errors become the card to answer with. */
  private async prepare(
    facts: TurnFacts,
    identity: TurnIdentity,
    input: GrantInput | SecretInput,
  ): Promise<RequestPreparation> {
    const { planner, secretPlanner, settings, requests } = this.services;
    let access: AccessTerm | undefined;
    const secret = 'options' in input;
    const activityId = facts.activityId;
    // Before any planning: a refused request costs no Azure call (G16). A dialog is admitted by
    // its id, not by the message that answered its last question: two answers sent at once both
    // complete it (its stored state is last-writer-wins), and only the first may file a request.
    const refusal = await this.services.gate.admit(
      identity.actor,
      activityKeyOf(facts.origin.conversationId, facts.dialogId ? `dialog:${facts.dialogId}` : activityId),
    );
    if (refusal) {
      // Audited once per user per window (limit-audit.ts).
      await auditLimitRefusal(this.services, identity, refusal.code, askedAsTyped(input));
      if (refusal.code === 'limits.redelivered' && facts.dialogId)
        return this.refusedByLimits(
          refusal.code,
          'Your answers to these questions were already taken from an earlier message, which made the request; no second request was made.',
        );
      return this.refusedByLimits(refusal.code, refusal.message);
    }
    try {
      // The names' forms before the reason: a request with a name that can be none (`grant
      // aks-dev acr test`) was told its reason was too short, and only once it had a longer one
      // that the registry was wrong. No Azure call; the planners read the names again. Names in
      // the wrong order (the grant form's fields filled registry first) are answered as on one line.
      const swapped = swappedNames(secret ? 'secret' : 'grant', input.cluster, input.registry);
      if (swapped) throw swapped;
      parseClusterRef(input.cluster);
      parseRegistryRef(input.registry);
      const reason = checkReason(input.reason);
      let plan: Plan;
      let pullsThrough: PullsThrough[] = [];
      if (secret) {
        // --for (or its synonym --expires) is the access term; the credential outlives it (G17).
        access = requests.accessTerm(input.options.expires);
        const term = access;
        const planned = await secretPlanner.planRequest({
          cluster: input.cluster,
          registry: input.registry,
          typed: input.options,
          credentialLifetimeMs: requests.credentialLifetimeMs(term),
          lifetimeUnderPolicy: (facts) =>
            requests.credentialLifetimeUnderPolicy(facts, term, isDefaultTerm(input.options.expires)),
        });
        plan = planned.plan;
        // The cluster's kubelet already pulls (a live grant of the pair, an assignment outside
        // acrbot): the request records it so its approvers see the secret is redundant for it.
        const { grants, outside } = planned.alreadyPulls;
        pullsThrough = secretPullsThroughOf(grants, outside, identity.tenantId);
      } else {
        access = requests.accessTerm(input.duration);
        const result = await planner.plan(input.cluster, input.registry);
        if (result.status === 'alreadyGranted') {
          // acrbot's own time-boxed assignment (deterministic name) held by someone else: this
          // request overlaps it and keeps the access until the last one ends (G17). One of the
          // requester's own is answered with the way to extend it.
          const overlap = await this.overlap(identity, result.plan, result.existing.name, access);
          if (!overlap.allowed) {
            // Held by nobody, ending by nothing: acrbot's ended grants may have left it behind.
            const leftBy = overlap.unheld
              ? await this.services.lifecycle.flow.endedGrantsBehind(result.plan, result.existing)
              : [];
            return {
              kind: 'card',
              card: alreadyGrantedCard(
                result.plan,
                result.existing,
                settings.sandbox,
                overlap.mine,
                result.existingRoleName,
                leftBy,
                // Their extension is refused when asked for (own-tenant.ts): none offered.
                isOtherTenant(identity.tenantId, settings.ownTenantId),
              ),
            };
          }
          // Held by others' grants: the request records which, and until when, for its approvers,
          // and its plan says the run keeps that assignment rather than creating one.
          pullsThrough = overlap.pullsThrough;
        }
        plan = pullsThrough.length > 0 ? keepingExisting(result.plan) : result.plan;
      }
      // Once planned, the target is known by its ids: a second request for one this user already
      // has waiting is refused, as its card would read like the first's (RequestGate.twinRefusal).
      // A break-glass grant never waits for approval, so it cannot be mistaken for one that does.
      if (secret || !input.breakGlass) {
        const twin = await this.services.gate.twinRefusal(identity.actor, plan);
        if (twin) {
          await auditLimitRefusal(
            this.services,
            identity,
            twin.code,
            `${plan.kind} ${plan.cluster.name} ${plan.registry.name}: ${twin.twinId} is waiting for approval`,
          );
          return this.refusedByLimits(twin.code, twin.message);
        }
      }
      const request = await this.services.requests.create({
        requester: identity.actor,
        tenantId: identity.tenantId,
        reason,
        plan,
        origin: facts.origin,
        sourceActivityId: activityId,
        access,
        defaultTerm: isDefaultTerm(secret ? input.options.expires : input.duration),
        ...(!secret && input.breakGlass && { breakGlass: true }),
        // Counted again after the create: another request of this user may have passed the gate at once.
        pendingCap: this.services.gate.maxPendingPerUser,
        // Its twin looked for again too, for the same reason (checked above only when it can wait).
        refuseTwins: secret || !input.breakGlass,
        ...(pullsThrough.length > 0 && { pullsThrough }),
      });
      return { kind: 'created', request };
    } catch (err) {
      // Over the pending cap after all (a request of the same user created at the same time):
      // withdrawn and audited by the create, answered like the refusal at the door.
      if (isUserFacing(err) && gateRefusalTitle(err.code)) return this.refusedByLimits(err.code, err.message);
      // Validation failures, refusals by acrbot's rules and planning given up on a silent Azure
      // are audited and change nothing (G10, G11).
      await auditPlanningFailure(requests, identity, err, askedAsTyped(input));
      return {
        kind: 'card',
        card: errorCardFor(this.services, err, secret ? 'Could not plan the pull secret' : 'Could not plan the grant'),
        error: isUserFacing(err) ? err.message : undefined,
      };
    }
  }

  /** The answer to a request the per-user limits refused (G16): the gate's sentence, as an error card. */
  private refusedByLimits(code: string, message: string): RequestPreparation {
    // A twin is one request too many for one target, not too many requests.
    const title =
      code === 'limits.duplicate' ? 'Already waiting for approval' : (gateRefusalTitle(code) ?? 'Too many requests');
    const card = messageCard({ title, text: message, tone: 'error', sandbox: this.services.settings.sandbox });
    return { kind: 'card', card, error: message };
  }

  /**
   * Whether a grant on acrbot's existing assignment may overlap it (held only by other requesters).
   * `unheld`: acrbot's name for the pair, and no active grant holds it (the listing complete),
   * none is ending, none is being granted it and no watch may delete it. Never said without an access term: holders are
   * not looked for then.
   */
  private async overlap(
    identity: TurnIdentity,
    plan: GrantPlan,
    existingName: string,
    access: AccessTerm | undefined,
  ): Promise<{ allowed: boolean; mine?: AccessRequest; unheld?: boolean; pullsThrough: PullsThrough[] }> {
    if (!access || existingName.toLowerCase() !== plan.roleAssignmentName.toLowerCase())
      return { allowed: false, pullsThrough: [] };
    // From any cluster whose kubelet runs as the same identity: the assignment is the identity's.
    const { holders, ending, granting, complete } = await this.services.lifecycle.flow.holdersOf(plan);
    // One of the requester's own that is being revoked cannot be extended: not offered. Nor a
    // break-glass grant (never extended), nor one whose access changed outside acrbot (drifted:
    // `extend.drifted`, and `check` tells its holder to ask for a new grant): its holder asking
    // for a normal grant overlaps it like anyone else's, and the request goes to its approvers,
    // rather than "extend it", refused.
    const mine = holders.find(
      (r) =>
        r.requester.objectId.toLowerCase() === identity.actor.objectId.toLowerCase() &&
        !r.access?.revokingSince &&
        !r.access?.driftDetectedAt &&
        !r.policy?.breakGlass,
    );
    // An assignment whose grants have all ended, their revocation still to finish (a failing
    // delete retries), is about to go: "access already exists" would leave the cluster without
    // pull once it does. A new request keeps it (the revocation keeps it for an active holder).
    // A revoked grant whose orphan watch may still delete it counts as ending (holdersOf).
    // A grant approved or running on it is about to hold it (its PUT may have just made it again,
    // under the id an ended grant once created): not left behind, and deleting it would break
    // that grant. A new request overlaps it as it would once it succeeds, so the access outlives
    // that grant's term (and its failure).
    const unheld = complete && !holders.length && !ending.length && !granting.length;
    const claimed = holders.length > 0 || ending.length > 0 || granting.length > 0;
    // The grants already giving this pull (or about to), read here anyway: the request records
    // them so its approvers see the cluster already pulls, and until when (pulls-through.ts).
    const pullsThrough = pullsThroughOf(holders, granting, identity.tenantId);
    return { allowed: claimed && !mine, mine, unheld, pullsThrough };
  }

  /** A stored request: the requester's copy (placed by the caller), then the approvers' copy and the audit card. */
  async announce(ctx: TurnContext, request: AccessRequest, placeRequesterCopy: () => Promise<void>): Promise<void> {
    await this.announceAt(
      factsOf(ctx),
      request,
      placeRequesterCopy,
      async (text) => void (await ctx.sendActivity(text)),
    );
  }

  /**
   * {@link announce} after a click was answered (G16: the approvers' card, the audit card and the
   * member lookups could outlast the few seconds Teams waits). What it needs of the turn is taken
   * now; the requester's copy is placed through its conversation reference, notes go as cards.
   */
  announceAfterAnswer(
    ctx: TurnContext,
    request: AccessRequest,
    placeRequesterCopy: (reference: Partial<ConversationReference>) => Promise<void>,
  ): void {
    const facts = factsOf(ctx);
    const { messenger, background, settings } = this.services;
    background.run('announcing a request', () =>
      this.announceAt(
        facts,
        request,
        () => placeRequesterCopy(facts.reference),
        async (text) =>
          void (await messenger.send(facts.reference, messageCard({ title: 'Note', text, sandbox: settings.sandbox }))),
      ),
    );
  }

  /** {@link announce} from facts taken earlier (planning after an answered invoke has no turn left). */
  private async announceAt(
    facts: TurnFacts,
    request: AccessRequest,
    placeRequesterCopy: () => Promise<void>,
    say: (text: string) => Promise<void>,
  ): Promise<void> {
    const { executor, messenger, requests, log } = this.services;
    try {
      await placeRequesterCopy();
    } catch (err) {
      // The request is stored: its approvers must still get their card, and the requester is
      // told where to find it rather than left with a card that never changes.
      const reference = currentCorrelationId() ?? request.id;
      log.error({ err, requestId: request.id }, "the requester's copy of a stored request could not be shown");
      await say(
        `Request ${request.id} is stored, but its card could not be shown here (reference ${reference}); "@acrbot status ${request.id}" shows it.`,
      ).catch((sayErr: unknown) => log.warn({ err: sayErr, requestId: request.id }, 'could not tell the requester'));
    }
    if (request.state === 'approved') void executor.schedule(request.id);
    if (request.policy?.breakGlass) {
      // The approvers' copy first: it carries the review (Approve keeps it, Reject revokes it at
      // once), and its conversation is where the alert goes when no channel is set for it.
      await this.postApprovalCard(facts, request, say);
      // The grant runs whatever happens to its alert; the requester is told it was not posted.
      const posted = await messenger
        .breakGlassUsed(request, requests.currentPolicy().breakGlass?.channel)
        .catch((err: unknown) => {
          log.error({ err, requestId: request.id }, 'the break-glass alert could not be posted');
          return false;
        });
      if (!posted)
        await say(
          `Break-glass request ${request.id} runs, but its alert could not be posted in the break-glass, audit or approvals channel (reference ${currentCorrelationId() ?? request.id}); tell the platform team.`,
        ).catch((sayErr: unknown) => log.warn({ err: sayErr, requestId: request.id }, 'could not tell the requester'));
    } else if (request.state === 'pending') {
      await this.postApprovalCard(facts, request, say);
    }
    await messenger.syncAuditCard(request);
  }

  /**
   * Sends the approvers' copy to the approvals channel, or the request's own channel/group chat.
   * A request made in that very conversation has its card there already: the requester's copy
   * serves as the approvers' too (CardMessenger.shareRequesterCopy), not a second card beside it.
   * Either way its named approvers still waited on are then @mentioned in the card's thread
   * (approver-mention-posts.ts), which never fails the card.
   */
  private async postApprovalCard(
    facts: TurnFacts,
    request: AccessRequest,
    say: (text: string) => Promise<void>,
  ): Promise<void> {
    const { settings, messenger, audit } = this.services;
    // The rule the request is bound to routes its card (G18); else ACRBOT_APPROVAL_CHANNEL.
    const target = facts.approvalFor(request.policy?.rule?.channel ?? settings.approvalChannelId);
    if (!target) {
      await say(
        `No approvals channel is configured and this is a personal chat, so approvers are not notified automatically: they can find request ${request.id} with "@acrbot pending". The platform team can set ACRBOT_APPROVAL_CHANNEL.`,
      );
      return;
    }
    /** Whether the card is out (posted, or the requester's copy made the approvers'): what fails after is the store's. */
    let out = false;
    try {
      // Compared first, so a request made elsewhere (the usual case) costs no store read here.
      const shared = sameConversation(target, facts.reference) && (await messenger.shareRequesterCopy(request, target));
      if (!shared) await messenger.postApproval(target, request);
      out = true;
      // The entry (and the approvers' copy postApproval records) tells the request's
      // `approval.announce` job that its card went out; without either, the job posts it
      // (flows/approval-announce.ts), so a process that stops before here still has it posted.
      await audit.append(
        approvalPostedEntry(
          request,
          String(target.conversation?.id),
          shared ? "the requester's copy in this conversation is the approvers' copy" : undefined,
        ),
      );
    } catch (err) {
      if (out || err instanceof PostedNotRecorded) return this.postedNotRecorded(request, err, say);
      // The reference ties what the requester quotes to this log line (its correlation id).
      const reference = currentCorrelationId() ?? request.id;
      this.services.log.warn({ err, requestId: request.id }, 'approval card could not be posted');
      const told = await say(approvalCardNotPostedText(request.id, reference)).then(
        () => true,
        (sayErr: unknown) => {
          this.services.log.warn({ err: sayErr, requestId: request.id }, 'could not tell the requester');
          return false;
        },
      );
      // Refused for good (acrbot not in that channel): audited, and the request's approval.announce
      // job, finding the entry, neither writes it again nor tells the requester a second time.
      // Only the send's own refusal: the card copy and the entry written after it fail with the same status.
      if (err instanceof TeamsPostRefused)
        await audit
          .append(
            approvalRefusedEntry(
              request,
              String(target.conversation?.id),
              err.refusal,
              `by the announcement; ${told ? 'the requester was told' : REQUESTER_NOT_TOLD}; the approval.announce job tries again (and tells them)`,
              told,
            ),
          )
          .catch((auditErr: unknown) =>
            this.services.log.warn({ err: auditErr, requestId: request.id }, 'approval card could not be posted'),
          );
    }
  }

  /**
   * The approvers' card went out but the store failed to record it (its copy, or its entry): the
   * approvers have it, so the requester is not told it "could not be posted". Without the record
   * the request's `approval.announce` job may post it a second time (without the copy, it does);
   * one error line (its correlation id the reference the requester is given) says so.
   */
  private async postedNotRecorded(
    request: AccessRequest,
    err: unknown,
    say: (text: string) => Promise<void>,
  ): Promise<void> {
    const { log } = this.services;
    const reference = currentCorrelationId() ?? request.id;
    log.error(
      { err, requestId: request.id },
      "the approvers' card was posted but could not be recorded; its approval.announce job may post it again",
    );
    await say(
      `The approval card of request ${request.id} was posted to the approvals channel, but acrbot could not record that (reference for the platform team: ${reference}); approvers may see the card a second time.`,
    ).catch((sayErr: unknown) => log.warn({ err: sayErr, requestId: request.id }, 'could not tell the requester'));
  }
}

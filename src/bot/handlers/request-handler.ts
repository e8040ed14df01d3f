/**
 * Grant and secret requests, whichever way they arrived (inline arguments, the dialog, the
 * form): validate, plan, store the request, give the requester the plan card and post the
 * approval card. The form differs only in where the requester's copy goes (it replaces the form).
 */
import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import { isUserFacing } from '../../domain/errors';
import type { AccessRequest, AccessTerm } from '../../domain/request';
import type { SecretCommandOptions } from '../../domain/command';
import type { GrantPlan, Plan } from '../../domain/plan';
import { checkReason } from '../../domain/text';
import { alreadyGrantedCard, grantFormCard } from '../../views/message-view';
import { requestCard } from '../../views/request-view';
import type { AdaptiveCardJson } from '../../views/card-templates';
import type { BotServices } from '../bot-services';
import { approvalTarget, originOf } from '../conversation-targets';
import { errorCardFor, sendCard } from '../turn-cards';
import type { TurnIdentity } from '../turn-identity';

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

/** The grant form's fields (untrusted card data). */
const grantForm = z.object({
  cluster: z.string().max(400).default(''),
  registry: z.string().max(400).default(''),
  reason: z.string().max(2000).default(''),
});

/** Handles grant and secret requests. */
export class RequestHandler {
  constructor(private readonly services: BotServices) {}

  /** Text command / dialog: typing, plan, the plan card as a reply, the approval card. */
  async handle(ctx: TurnContext, identity: TurnIdentity, input: GrantInput | SecretInput): Promise<void> {
    await ctx.sendActivity({ type: 'typing' });
    const prepared = await this.prepare(ctx, identity, input);
    if (prepared.kind === 'card') {
      await sendCard(ctx, prepared.card);
      return;
    }
    const { messenger } = this.services;
    // Auto-approved or break-glass: decided by the policy already, it runs now.
    const shown =
      prepared.request.state === 'approved' ? { ...prepared.request, state: 'executing' as const } : prepared.request;
    const card = requestCard(shown, { showActions: false });
    await this.announce(ctx, prepared.request, () => messenger.replyAndTrack(ctx, prepared.request, card, 'requester'));
  }

  /**
   * The grant form's submit: returns the card that replaces the form. An error shows the form
   * again with the message; "already exists" is an answer, not a form error, so it shows that card.
   */
  async submitForm(ctx: TurnContext, identity: TurnIdentity, data: unknown): Promise<AdaptiveCardJson> {
    const sandbox = this.services.settings.sandbox;
    const form = grantForm.safeParse(data ?? {});
    if (!form.success)
      return grantFormCard({ sandbox, error: 'The form was not understood; fill in all three fields and try again.' });
    const prepared = await this.prepare(ctx, identity, form.data);
    if (prepared.kind === 'card')
      return prepared.error ? grantFormCard({ sandbox, ...form.data, error: prepared.error }) : prepared.card;
    const { request } = prepared;
    // The invoke response replaces the form in place, so the form's message becomes the requester's copy.
    const replyToId = ctx.activity.replyToId;
    await this.announce(ctx, request, async () => {
      if (replyToId) await this.services.messenger.track(ctx, request.id, replyToId, 'requester');
    });
    return requestCard(request, { showActions: false });
  }

  /** Validates, plans and stores a request; errors become the card to answer with. */
  private async prepare(
    ctx: TurnContext,
    identity: TurnIdentity,
    input: GrantInput | SecretInput,
  ): Promise<RequestPreparation> {
    const { planner, secretPlanner, settings, requests } = this.services;
    let access: AccessTerm | undefined;
    const secret = 'options' in input;
    try {
      const reason = checkReason(input.reason);
      let plan: Plan;
      if (secret) {
        // --for (or its synonym --expires) is the access term; the credential outlives it (G17).
        access = requests.accessTerm(input.options.expires);
        plan = await secretPlanner.plan(
          input.cluster,
          input.registry,
          input.options,
          requests.credentialLifetimeMs(access),
        );
      } else {
        access = requests.accessTerm(input.duration);
        const result = await planner.plan(input.cluster, input.registry);
        if (result.status === 'alreadyGranted') {
          // acrbot's own time-boxed assignment (deterministic name) held by someone else: this
          // request overlaps it and keeps the access until the last one ends (G17). One of the
          // requester's own is answered with the way to extend it.
          const overlap = await this.overlap(identity, result.plan, result.existing.name, access);
          if (!overlap.allowed)
            return {
              kind: 'card',
              card: alreadyGrantedCard(result.plan, result.existing, settings.sandbox, overlap.mine),
            };
        }
        plan = result.plan;
      }
      const request = await this.services.requests.create({
        requester: identity.actor,
        tenantId: identity.tenantId,
        reason,
        plan,
        origin: originOf(ctx),
        access,
        ...(!secret && input.breakGlass && { breakGlass: true }),
      });
      return { kind: 'created', request };
    } catch (err) {
      // Validation failures are audited and change nothing (G10).
      if (isUserFacing(err) && err.code.startsWith('validation.'))
        await this.services.requests.recordRefusal({
          actor: identity.actor,
          tenantId: identity.tenantId,
          action: 'validation.failed',
          outcome: err.code,
          detail: err.message,
        });
      return {
        kind: 'card',
        card: errorCardFor(this.services, err, secret ? 'Could not plan the pull secret' : 'Could not plan the grant'),
        error: isUserFacing(err) ? err.message : undefined,
      };
    }
  }

  /** Whether a grant on acrbot's existing assignment may overlap it (held only by other requesters). */
  private async overlap(
    identity: TurnIdentity,
    plan: GrantPlan,
    existingName: string,
    access: AccessTerm | undefined,
  ): Promise<{ allowed: boolean; mine?: AccessRequest }> {
    if (!access || existingName.toLowerCase() !== plan.roleAssignmentName.toLowerCase()) return { allowed: false };
    const holders = (await this.services.lifecycle.flow.activeOn(plan.cluster.id, plan.registry.id)).filter(
      (r) => r.plan.kind === 'grant' && r.plan.roleAssignmentName === plan.roleAssignmentName,
    );
    const mine = holders.find((r) => r.requester.objectId.toLowerCase() === identity.actor.objectId.toLowerCase());
    return { allowed: holders.length > 0 && !mine, mine };
  }

  /** A stored request: the requester's copy (placed by the caller), then the approvers' copy and the audit card. */
  async announce(ctx: TurnContext, request: AccessRequest, placeRequesterCopy: () => Promise<void>): Promise<void> {
    await placeRequesterCopy();
    const { executor, messenger, requests } = this.services;
    if (request.state === 'approved') void executor.schedule(request.id);
    if (request.policy?.breakGlass) {
      await messenger.breakGlassUsed(request, requests.currentPolicy().breakGlass?.channel);
      // The approvers' copy carries the review: Approve keeps it, Reject revokes it at once.
      await this.postApprovalCard(ctx, request);
    } else if (request.state === 'pending') {
      await this.postApprovalCard(ctx, request);
    }
    await messenger.syncAuditCard(request);
  }

  /** Sends the approvers' copy to the approvals channel, or the request's own channel/group chat. */
  private async postApprovalCard(ctx: TurnContext, request: AccessRequest): Promise<void> {
    const { settings, messenger, audit } = this.services;
    // The rule the request is bound to routes its card (G18); else ACRBOT_APPROVAL_CHANNEL.
    const target = approvalTarget(ctx, request.policy?.rule?.channel ?? settings.approvalChannelId);
    if (!target) {
      await ctx.sendActivity(
        `No approvals channel is configured and this is a personal chat, so approvers are not notified automatically: they can find request ${request.id} with "@acrbot pending". The platform team can set ACRBOT_APPROVAL_CHANNEL.`,
      );
      return;
    }
    try {
      await messenger.postApproval(target, request);
      await audit.append({
        actor: { objectId: 'acrbot', name: 'acrbot' },
        tenantId: request.tenantId,
        action: 'approval.card.posted',
        requestId: request.id,
        targetIds: [String(target.conversation?.id)],
        outcome: 'posted',
      });
    } catch (err) {
      this.services.log.warn({ err, requestId: request.id }, 'approval card could not be posted');
      await ctx.sendActivity(
        `The approval card could not be posted to the approvals channel; approvers can still find request ${request.id} with "@acrbot pending".`,
      );
    }
  }
}

/**
 * Grant and secret requests, whichever way they arrived (inline arguments, the dialog, the
 * form): validate, plan, store the request, reply with the plan card and post the approval card.
 */
import type { ConversationReference, TurnContext } from 'botbuilder';
import { isUserFacing } from '../../domain/errors';
import type { AccessRequest, AccessTerm } from '../../domain/request';
import { describeAccess } from '../../domain/access-term';
import type { SecretCommandOptions } from '../../domain/command';
import type { Plan } from '../../domain/plan';
import { checkReason } from '../../domain/text';
import { messageCard } from '../../views/message-view';
import { requestCard } from '../../views/request-view';
import type { AdaptiveCardJson } from '../../views/card-templates';
import type { BotServices } from '../bot-services';
import type { TurnIdentity } from '../turn-identity';

/** What the user gave. */
export interface GrantInput {
  cluster: string;
  registry: string;
  reason: string;
  /** `--for DURATION` as typed (default when absent). */
  duration?: string;
}

/** What the user gave for a secret. */
export interface SecretInput extends GrantInput {
  options: SecretCommandOptions;
}

/** The result of preparing a grant. */
export type RequestPreparation =
  { kind: 'card'; card: AdaptiveCardJson; error?: string } | { kind: 'created'; request: AccessRequest };

/** Turns a thrown error into the card users see; unexpected errors are logged, not shown. */
export function errorCard(services: BotServices, err: unknown, title = 'That did not work'): AdaptiveCardJson {
  if (isUserFacing(err))
    return messageCard({
      title,
      text: err.message,
      tone: 'error',
      hints: err.hints,
      sandbox: services.settings.sandbox,
    });
  const ref = Math.random().toString(36).slice(2, 10);
  services.log.error(
    { err: { message: (err as Error).message, code: (err as { code?: string }).code }, ref },
    'unexpected error in a turn',
  );
  return messageCard({
    title,
    text: `Something unexpected went wrong (reference ${ref}); nothing was changed. Try again, or give the platform team the reference.`,
    tone: 'error',
    sandbox: services.settings.sandbox,
  });
}

/** Handles grant and secret requests. */
export class RequestHandler {
  constructor(private readonly services: BotServices) {}

  /** Validates, plans and stores a secret request. */
  async prepareSecret(
    identity: TurnIdentity,
    input: SecretInput,
    origin: AccessRequest['origin'],
  ): Promise<RequestPreparation> {
    return this.guard(identity, 'Could not plan the pull secret', async () => {
      const reason = checkReason(input.reason);
      const { requests } = this.services;
      // --for (or its synonym --expires) is the access term; the credential outlives it (G17).
      const access = requests.accessTerm(input.options.expires);
      const plan = await this.services.secretPlanner.plan(
        input.cluster,
        input.registry,
        input.options,
        requests.credentialLifetimeMs(access),
      );
      return this.store(identity, reason, plan, origin, access);
    });
  }

  private async store(
    identity: TurnIdentity,
    reason: string,
    plan: Plan,
    origin: AccessRequest['origin'],
    access?: AccessTerm,
  ): Promise<RequestPreparation> {
    const request = await this.services.requests.create({
      requester: identity.actor,
      tenantId: identity.tenantId,
      reason,
      plan,
      origin,
      access,
    });
    return { kind: 'created', request };
  }

  /** Turns errors into cards; validation failures are audited and change nothing (G10). */
  private async guard(
    identity: TurnIdentity,
    title: string,
    work: () => Promise<RequestPreparation>,
  ): Promise<RequestPreparation> {
    try {
      return await work();
    } catch (err) {
      if (isUserFacing(err) && err.code.startsWith('validation.')) {
        await this.services.audit
          .append({
            actor: identity.actor,
            tenantId: identity.tenantId,
            action: 'validation.failed',
            targetIds: [],
            outcome: err.code,
            detail: err.message,
          })
          .catch(() => undefined);
      }
      return {
        kind: 'card',
        card: errorCard(this.services, err, title),
        error: isUserFacing(err) ? err.message : undefined,
      };
    }
  }

  /** Validates, plans and stores a grant request. */
  async prepare(
    identity: TurnIdentity,
    input: GrantInput,
    origin: AccessRequest['origin'],
  ): Promise<RequestPreparation> {
    const { planner, settings } = this.services;
    return this.guard(identity, 'Could not plan the grant', async () => {
      const reason = checkReason(input.reason);
      const access = this.services.requests.accessTerm(input.duration);
      const result = await planner.plan(input.cluster, input.registry);
      // acrbot's own time-boxed assignment (deterministic name): a second request overlaps it and
      // keeps the access until the last one ends (G17), so it is requested, not refused.
      let overlapsAcrbot = false;
      let mine: AccessRequest | undefined;
      if (
        result.status === 'alreadyGranted' &&
        access !== undefined &&
        result.existing.name.toLowerCase() === result.plan.roleAssignmentName.toLowerCase()
      ) {
        const holders = (
          await this.services.lifecycle.flow.activeOn(result.plan.cluster.id, result.plan.registry.id)
        ).filter((r) => r.plan.kind === 'grant' && r.plan.roleAssignmentName === result.plan.roleAssignmentName);
        mine = holders.find((r) => r.requester.objectId.toLowerCase() === identity.actor.objectId.toLowerCase());
        overlapsAcrbot = holders.length > 0 && !mine;
      }
      if (result.status === 'alreadyGranted' && !overlapsAcrbot) {
        const e = result.existing;
        return {
          kind: 'card',
          card: messageCard({
            title: 'Access already exists',
            text: `${result.plan.identity.description} ${result.plan.identity.objectId} of ${result.plan.cluster.name} can already pull from ${result.plan.registry.name}; no request was created.${mine ? ` It is your request ${mine.id} (${describeAccess(mine)}); to keep it longer: extend ${mine.id} --for 30d REASON.` : ''}`,
            tone: 'good',
            facts: [
              { label: 'Assignment', value: e.id },
              { label: 'Role', value: e.roleDefinitionId.split('/').pop() ?? '' },
              { label: 'Scope', value: e.scope },
            ],
            sandbox: settings.sandbox,
          }),
        };
      }
      return this.store(identity, reason, result.plan, origin, access);
    });
  }

  /** Text command / dialog: typing, plan, reply, approval card. */
  async handle(ctx: TurnContext, identity: TurnIdentity, input: GrantInput | SecretInput): Promise<void> {
    await ctx.sendActivity({ type: 'typing' });
    const prepared =
      'options' in input
        ? await this.prepareSecret(identity, input, originOf(ctx))
        : await this.prepare(identity, input, originOf(ctx));
    if (prepared.kind === 'card') {
      await ctx.sendActivity({
        type: 'message',
        attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: prepared.card }],
      });
      return;
    }
    await this.services.messenger.replyAndTrack(
      ctx,
      prepared.request,
      requestCard(prepared.request, { showActions: false }),
      'requester',
    );
    await this.postApprovalCard(ctx, prepared.request);
    await this.services.messenger.syncAuditCard(prepared.request);
  }

  /** Sends the approvers' copy to the approvals channel, or the request's own channel/group chat. */
  async postApprovalCard(ctx: TurnContext, request: AccessRequest): Promise<void> {
    const { settings, messenger, audit } = this.services;
    const target = approvalTarget(ctx, settings.approvalChannelId);
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
      this.services.log.warn(
        { err: { message: (err as Error).message }, requestId: request.id },
        'approval card could not be posted',
      );
      await ctx.sendActivity(
        `The approval card could not be posted to the approvals channel; approvers can still find request ${request.id} with "@acrbot pending".`,
      );
    }
  }
}

/** Where the request was made. */
export function originOf(ctx: TurnContext): AccessRequest['origin'] {
  return {
    conversationId: ctx.activity.conversation.id,
    conversationType: ctx.activity.conversation.conversationType ?? 'personal',
  };
}

/** The conversation reference for the approval card, or undefined in a personal chat with no channel configured. */
export function approvalTarget(
  ctx: TurnContext,
  approvalChannelId: string | undefined,
): Partial<ConversationReference> | undefined {
  const a = ctx.activity;
  const base = { channelId: a.channelId, serviceUrl: a.serviceUrl, bot: a.recipient, locale: a.locale };
  if (approvalChannelId) {
    return {
      ...base,
      conversation: {
        id: approvalChannelId,
        isGroup: true,
        conversationType: 'channel',
        tenantId: a.conversation.tenantId,
        name: 'approvals',
      },
    };
  }
  const type = a.conversation.conversationType;
  if (type === 'channel' || type === 'groupChat') {
    // A new post in the channel (not the request's thread), so approvers see it.
    const channelId =
      (a.channelData as { channel?: { id?: string } } | undefined)?.channel?.id ?? a.conversation.id.split(';')[0];
    return {
      ...base,
      conversation: {
        id: type === 'channel' ? channelId : a.conversation.id,
        isGroup: true,
        conversationType: type,
        tenantId: a.conversation.tenantId,
        name: '',
      },
    };
  }
  return undefined;
}

/**
 * What the parts of the card messenger (card-messenger.ts and the files it delegates to) share:
 * the store, the log, the outbox and the settings, and the messenger's own steps. The steps are
 * bound to the messenger late, so the hooks the composition root wires after construction
 * (`ruleOf`, `approverIdsOf`, `ownCards`, …) apply. Each part takes only the members it uses.
 */
import type { ConversationReference, TurnContext } from 'botbuilder';
import type { ApproveRefusal } from '../domain/approve-refused';
import type { AuditLog, CardCopy, RequestStore } from '../domain/ports';
import type { PolicyRule } from '../domain/policy';
import type { AccessRequest } from '../domain/request';
import type { ApproverAuthority } from '../flows/approver-authority';
import type { Logger } from '../observability/logger';
import type { AdaptiveCardJson } from '../views/card-templates';
import type { AuditCardLeases } from './audit-card-lease';
import type { CardOutbox } from './card-outbox';
import type { OwnCards } from './own-cards';

/**
 * ACRBOT_AUDIT_CHANNEL and the audit log its card shows; `leases`: the store's leases, so the
 * card's writes take turns across instances (audit-card-lease.ts; without them, this
 * instance's outbox is the only order).
 */
export interface MessengerAuditSettings {
  log: AuditLog;
  channelId: string;
  leases?: AuditCardLeases;
}

/**
 * Where problems are reported, and the default extension length on reminders. `ownTenantId`:
 * acrbot's own tenant (FlowSettings.ownTenantId): a requester of another tenant, refused any
 * request when made (own-tenant.ts), is offered no command to extend or ask again in their
 * outcome card and news (requester-messages.ts).
 */
export interface MessengerLifecycleSettings {
  approvalChannelId?: string;
  defaultAccessMs: number;
  sandbox?: boolean;
  ownTenantId?: string;
}

/** The card messenger's state and steps, as its parts use them. */
export interface MessengerParts {
  readonly store: RequestStore;
  readonly log: Logger;
  /** Card replacements and messages, batched per conversation. */
  readonly outbox: CardOutbox;
  readonly audit?: MessengerAuditSettings;
  readonly lifecycle?: MessengerLifecycleSettings;
  /** Sends a card into a conversation as a new post; returns the new activity id. */
  send(reference: Partial<ConversationReference>, card: AdaptiveCardJson): Promise<string | undefined>;
  /** Runs `work` in a conversation outside any turn; its failure is thrown to the caller. */
  inConversation(reference: Partial<ConversationReference>, work: (ctx: TurnContext) => Promise<void>): Promise<void>;
  /** The Teams ids that get their own view of a request's card in `reference`'s conversation. */
  viewersOf(
    request: AccessRequest,
    reference: Partial<ConversationReference>,
  ): Promise<{ all: string[]; approvers: string[] }>;
  /** A request card as posted: read-only for everyone, with per-user views for its viewers. */
  postedRequestCard(
    request: AccessRequest,
    reference: Partial<ConversationReference>,
    role: CardCopy['role'],
  ): Promise<AdaptiveCardJson>;
  /** The copy of a request's card its approvers act on (card-copy-places.ts). */
  approversCopyOf(request: AccessRequest, copies: readonly CardCopy[]): CardCopy | undefined;
  /** The rule whose approvers act on a request now. */
  ruleOf(request: AccessRequest): PolicyRule | undefined;
  /** Why an Approve of a pending request would be refused now for its term; undefined when it would not. */
  approveRefusedForTerm(request: AccessRequest): ApproveRefusal | undefined;
  /** The terms an extension of a request may run with; undefined when nothing bounds it. */
  extensionTermRange(request: AccessRequest): { minMs: number; maxMs: number } | undefined;
  /** acrbot's record of the reminders it posted, once wired. */
  ownCards(): OwnCards | undefined;
  /**
   * The directory's word on named approvers' accounts (enabled, display names), once wired: read
   * before a new request's approvers are mentioned (approver-mention-posts.ts).
   */
  approverAccounts(): Pick<ApproverAuthority, 'enabledNamesAmong'> | undefined;
  /** Updates (or first posts) the request's audit card. */
  syncAuditCard(request: AccessRequest, copies?: CardCopy[]): Promise<void>;
  /** Records an activity of a conversation (by reference) as a copy of the request's card. */
  trackAt(
    reference: Partial<ConversationReference>,
    requestId: string,
    activityId: string,
    role: CardCopy['role'],
  ): Promise<void>;
  /** Posts the approvers' copy to a channel or chat and records it. */
  postApproval(reference: Partial<ConversationReference>, request: AccessRequest): Promise<string | undefined>;
  /** Adds the per-user views to a request card built elsewhere (a reply in the current turn). */
  withRequestViewers(
    request: AccessRequest,
    reference: Partial<ConversationReference>,
    card: AdaptiveCardJson,
  ): Promise<AdaptiveCardJson>;
  /** Whether the requester's copy in `target`'s conversation serves as the approvers' copy. */
  shareRequesterCopy(request: AccessRequest, target: Partial<ConversationReference>): Promise<boolean>;
}

/**
 * The compact audit card of a request in ACRBOT_AUDIT_CHANNEL, kept in step with the request:
 * posted once, then updated in place.
 */
import { ofTenant } from '../domain/tenant-boundary';
import type { ConversationReference } from 'botbuilder';
import { collapseRefusals } from '../domain/audit-summary';
import type { CardCopy } from '../domain/ports';
import type { AccessRequest } from '../domain/request';
import { auditCard } from '../views/message-view';
import { stateLabelOf } from '../views/request-view';
import { withAuditCardLease } from './audit-card-lease';
import type { MessengerAuditSettings, MessengerParts } from './messenger-parts';
import { cardActivity } from './turn-cards';

/** What the audit card's writes use of the messenger. */
type AuditCardParts = Pick<MessengerParts, 'store' | 'log' | 'send' | 'inConversation'>;

/**
 * The compact audit card of a request in ACRBOT_AUDIT_CHANNEL: posted once, then updated in
 * place as the request moves (one card per request lifecycle, not a flood of messages). After
 * the setting names another channel, the next write posts a new card there (the old one is left).
 *
 * Its writes go through the outbox as one card per request: one at a time, so two syncs at
 * once (the handler's and the run's, for a request approved by its rule) post it once and the
 * second updates it; never an older state of the request over a newer one (a late caller);
 * and each write reads the request's entries and the chain head when it starts, so a write
 * that waited, or that took the place of others, shows everything appended before it.
 */
export async function syncAuditCard(
  parts: AuditCardParts & Pick<MessengerParts, 'audit' | 'outbox'>,
  request: AccessRequest,
  copies?: CardCopy[],
): Promise<void> {
  const audit = parts.audit;
  if (!audit) return;
  try {
    await parts.outbox.replace(`audit ${audit.channelId}`, `audit-card:${request.id}`, request.version, () =>
      audit.leases
        ? withAuditCardLease(audit.leases, request.id, parts.log, () =>
            writeAuditCard(parts, audit, request, undefined, true),
          )
        : writeAuditCard(parts, audit, request, copies),
    );
  } catch (err) {
    parts.log.warn({ err, requestId: request.id }, 'audit card could not be posted');
  }
}

/**
 * One write of a request's audit card (see {@link syncAuditCard}): an update, else the first
 * post. `fresh` (under the audit card lease): the request and its copies are read afresh, as
 * another instance may have posted the card, or stored a newer state, meanwhile.
 */
async function writeAuditCard(
  parts: AuditCardParts,
  audit: Omit<MessengerAuditSettings, 'leases'>,
  given: AccessRequest,
  copies: CardCopy[] | undefined,
  fresh = false,
): Promise<void> {
  const stored = fresh ? await parts.store.get(given.id) : undefined;
  const request = stored && stored.version > given.version ? stored : given;
  // Read again unless the caller's list has the audit copy: an earlier write may have posted it.
  const all = copies?.some((c) => inAuditChannel(c, audit.channelId))
    ? copies
    : await parts.store.listCardCopies(request.id);
  // The request's tenant's entries only, as chat's `audit R-…` and the tab read a trail: another
  // tenant's refused ask of it (approval.refused.tenant, request.refused.tenant) names a person of
  // that tenant, who must not be shown to this one.
  const entries = (await audit.log.forRequest(request.id)).filter((e) => ofTenant(e, request.tenantId));
  // Read after the request's entries, so the head covers them: every card update publishes
  // the head of that moment outside the store (G11).
  const [head] = await audit.log.latest(1);
  const card = auditCard(
    // The state as the request card labels it ("Granted", not `succeeded`; "Closed" for an
    // extension closed with the access it extends, not "Expired"; for a live grant that gives
    // nothing, "Removed outside acrbot" or "No longer gives pull" when drift-marked and "Cluster
    // gone" when its cluster is gone, not "Granted").
    `${request.id} · ${request.plan.kind} · ${stateLabelOf(request).label}`,
    `${request.requester.name}: ${request.plan.cluster.name} → ${request.plan.registry.name}`,
    // Repeated refused clicks are one counted line, so they cannot flush the history off the card.
    collapseRefusals(entries).slice(-30),
    request.sandbox,
    head,
  );
  // A copy in another channel (ACRBOT_AUDIT_CHANNEL changed since it was posted) counts as none:
  // the card, and the chain head it publishes, move to the channel now set, where a new copy is
  // posted and updated from then on; the old card stays as it last was. Updating it instead would
  // keep a live request (a permanent one forever) in a channel nobody watches any more, or, with
  // acrbot removed from it, fail every update.
  const existing = all.find((c) => inAuditChannel(c, audit.channelId));
  if (existing) {
    await parts.inConversation(existing.conversation as Partial<ConversationReference>, async (ctx) => {
      await ctx.updateActivity(cardActivity(card, existing.activityId));
    });
    return;
  }
  const origin = all.find((c) => c.role === 'requester')?.conversation as Partial<ConversationReference> | undefined;
  if (!origin) return;
  const reference = {
    ...origin,
    conversation: {
      id: audit.channelId,
      isGroup: true,
      conversationType: 'channel',
      tenantId: origin.conversation?.tenantId,
      name: 'audit',
    },
  } as Partial<ConversationReference>;
  const id = await parts.send(reference, card);
  if (id)
    await parts.store.addCardCopy({ requestId: request.id, activityId: id, role: 'audit', conversation: reference });
}

/** Whether `copy` is the audit card's copy in the audit channel `channelId` (the one set now). */
function inAuditChannel(copy: CardCopy, channelId: string): boolean {
  return (
    copy.role === 'audit' &&
    (copy.conversation as Partial<ConversationReference> | undefined)?.conversation?.id === channelId
  );
}

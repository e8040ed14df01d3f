/**
 * What the CardMessenger tests of card updates share: a stored request with its card's copies,
 * the states its run goes through, and a fake adapter that gives CardMessenger the turn it updates
 * a copy in (Teams' members API and updateActivity), so each test's adapter says only what it
 * does differently (waits, fails, records).
 */
import type { Activity, ConversationReference } from 'botbuilder';
import { type AccessRequest, transition } from '../../../src/domain/request';
import type { MemoryRequestStore } from '../../../src/integrations/store/memory-stores';
import { APPROVER, pendingRequest, REQUESTER } from './requests';

/** When the run's transitions happen. */
export const AT = new Date('2025-01-15T10:00:00.000Z');
/** The approvals channel the approver's copy is posted in. */
export const APPROVALS_CHANNEL = '19:approvals@thread.tacv2';
/** The Teams member ids (MRIs) of the requester and the approver, by Entra object id. */
export const MRI: Record<string, string> = { [REQUESTER.objectId]: '29:riley', [APPROVER.objectId]: '29:alex' };

/** Records a copy of `requestId`'s card: activity `activityId`, shown to `role`, in conversation `conversationId`. */
export function addCopy(
  store: MemoryRequestStore,
  requestId: string,
  activityId: string,
  role: 'approver' | 'requester',
  conversationId: string,
): Promise<void> {
  return store.addCardCopy({
    requestId,
    activityId,
    role,
    conversation: { serviceUrl: 'https://smba.example/', conversation: { id: conversationId, tenantId: 't' } },
  });
}

/** Stores a pending request whose card has one copy: the approver's (`act-approver`) in the approvals channel. */
export async function storedWithApproverCopy(store: MemoryRequestStore): Promise<AccessRequest> {
  const pending = pendingRequest();
  await store.create(pending);
  await addCopy(store, pending.id, 'act-approver', 'approver', APPROVALS_CHANNEL);
  return pending;
}

/** The states `pending` goes through as Alex Approver approves it and its run succeeds. */
export function runStates(pending: AccessRequest) {
  const approved = transition(pending, { type: 'approve', by: APPROVER, at: AT });
  const executing = transition(approved, { type: 'start', at: AT });
  const succeeded = transition(executing, {
    type: 'succeed',
    at: AT,
    outcome: { summary: 'AcrPull assigned', azureRequestIds: ['x'] },
  });
  return { approved, executing, succeeded };
}

/** A Teams member as the connector's members API answers a lookup. */
export interface FakeMember {
  id: string;
  aadObjectId: string;
}

/**
 * A bot adapter for card updates: CardMessenger's turn in a copy's conversation looks members up
 * with {@link member} and updates the card with {@link updated}, which each test's adapter writes
 * (to wait, fail or record).
 */
export abstract class CardUpdateAdapter {
  /** Answers the lookup of `objectId` in `reference`'s conversation (or throws as the connector does). */
  protected abstract member(reference: Partial<ConversationReference>, objectId: string): Promise<FakeMember>;

  /** Receives a card update. */
  protected abstract updated(activity: Partial<Activity>): void;

  async continueConversationAsync(
    _appId: string,
    reference: Partial<ConversationReference>,
    logic: (ctx: unknown) => Promise<void>,
  ): Promise<void> {
    const members = {
      getConversationMember: (_conversationId: string, objectId: string) => this.member(reference, objectId),
    };
    await logic({
      activity: { conversation: reference.conversation, serviceUrl: reference.serviceUrl },
      adapter: { createConnectorClient: () => ({ conversations: members }) },
      turnState: new Map(),
      onSendActivities: () => undefined,
      updateActivity: async (activity: Partial<Activity>) => this.updated(activity),
    });
  }
}

/**
 * ACRBOT_AUDIT_CHANNEL changed while a request is live: its audit card (and the chain head it
 * publishes) moves to the channel now set. The copy in the old channel counts as none: a new card
 * is posted in the new channel and updated there from then on; the old one is left as it was.
 */
import { syncAuditCard } from '../../src/bot/audit-card-sync';
import type { CardCopy } from '../../src/domain/ports';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { addCopy } from './support/card-copies';
import { FakeClock } from './support/fake-clock';
import { auditEvent, pendingRequest } from './support/requests';

const OLD = '19:old-audit@thread.tacv2';
const NEW = '19:new-audit@thread.tacv2';

/** A stored request whose audit card was posted in OLD, and the channels of what later syncs post and update. */
async function postedInOldChannel() {
  const clock = new FakeClock(new Date('2025-01-15T10:00:00.000Z'));
  const log = new MemoryAuditLog(clock);
  const store = new MemoryRequestStore();
  const request = pendingRequest();
  await store.create(request);
  await addCopy(store, request.id, 'act-1', 'requester', 'a:riley');
  await log.append(auditEvent(0, { requestId: request.id, tenantId: request.tenantId }));
  const posted: string[] = [];
  const updated: string[] = [];
  const parts = (channelId: string) =>
    ({
      store,
      log: createLogger({ level: 'silent' }),
      audit: { log, channelId },
      outbox: { replace: (_c: string, _k: string, _v: number, write: () => Promise<void>) => write() } as never,
      send: async (ref: { conversation: { id: string } }) => {
        posted.push(ref.conversation.id);
        return `audit-${posted.length}`;
      },
      inConversation: async (ref: { conversation: { id: string } }) => void updated.push(ref.conversation.id),
    }) as unknown as Parameters<typeof syncAuditCard>[0];
  await syncAuditCard(parts(OLD), request);
  expect(posted).toEqual([OLD]);
  let version = request.version;
  /** The request moves on (one more entry) and its audit card is synced with the channel `channelId` set. */
  const moveOn = async (channelId: string, copies?: CardCopy[]) => {
    version += 1;
    await log.append(auditEvent(version, { requestId: request.id, tenantId: request.tenantId }));
    await syncAuditCard(parts(channelId), { ...request, version }, copies);
  };
  return { store, request, posted, updated, moveOn };
}

test('after the audit channel changed, the card is posted in the new channel, then updated there; the old one is left', async () => {
  const { store, request, posted, updated, moveOn } = await postedInOldChannel();
  await moveOn(NEW);
  expect(posted).toEqual([OLD, NEW]);
  expect(updated).toEqual([]);
  await moveOn(NEW);
  expect(posted).toEqual([OLD, NEW]);
  expect(updated).toEqual([NEW]);
  // Both copies stay recorded: the old card is not deleted, only no longer written.
  const audits = (await store.listCardCopies(request.id)).filter((c) => c.role === 'audit');
  expect(audits.map((c) => (c.conversation as { conversation: { id: string } }).conversation.id)).toEqual([OLD, NEW]);
});

test("a caller's list holding only the old channel's copy does not post the card in the new channel twice", async () => {
  const { store, request, posted, updated, moveOn } = await postedInOldChannel();
  const before = await store.listCardCopies(request.id);
  await moveOn(NEW);
  // A caller that read the copies before the card moved: the store is read again.
  await moveOn(NEW, before);
  expect(posted).toEqual([OLD, NEW]);
  expect(updated).toEqual([NEW]);
});

test('with the audit channel unchanged, the card is updated where it was posted', async () => {
  const { posted, updated, moveOn } = await postedInOldChannel();
  await moveOn(OLD);
  expect(posted).toEqual([OLD]);
  expect(updated).toEqual([OLD]);
});

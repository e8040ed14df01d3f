/**
 * Where the `approval.announce` job's poster (bot/approval-card-poster.ts) says it cannot post: a
 * request made in a personal chat with no approvals channel has nowhere to be asked (undefined,
 * nothing to retry); one with somewhere to ask but no card of any request to reach Teams by (a
 * deployment's first request, stopped before any card went out) fails, so the job is retried
 * rather than ended as "nowhere to ask" with the approvers never told.
 */
import { ApprovalCardPoster, type ApprovalCardMessenger } from '../../src/bot/approval-card-poster';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { pendingRequest } from './support/requests';

const posts: unknown[] = [];
const messenger = {
  postApproval: async (target: unknown) => {
    posts.push(target);
    return 'activity-1';
  },
  shareRequesterCopy: async () => false,
  breakGlassUsed: async () => true,
  syncAuditCard: async () => undefined,
} as unknown as ApprovalCardMessenger;

function poster(approvalChannelId?: string) {
  return new ApprovalCardPoster(
    messenger,
    new MemoryRequestStore(),
    approvalChannelId,
    createLogger({ level: 'silent' }),
  );
}

beforeEach(() => posts.splice(0));

test('a channel to ask in but no card anywhere to reach Teams by: the post fails (the job retries), nothing posted', async () => {
  const request = pendingRequest({ origin: { conversationId: 'a:personal-chat', conversationType: 'personal' } });
  await expect(poster('19:approvals@thread.tacv2').postApprovalCard(request)).rejects.toThrow(
    "its approvers' card cannot be posted yet",
  );
  expect(posts).toEqual([]);
});

test('a personal chat and no approvals channel: nowhere to ask, undefined (nothing to retry)', async () => {
  const request = pendingRequest({ origin: { conversationId: 'a:personal-chat', conversationType: 'personal' } });
  await expect(poster(undefined).postApprovalCard(request)).resolves.toBeUndefined();
  expect(posts).toEqual([]);
});

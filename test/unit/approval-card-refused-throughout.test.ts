/**
 * The expiry news says "no approver was shown this request" only when none did: Teams refused the
 * approvers' card and nothing else reached them. An approval (given through "@acrbot pending" or
 * the tab while the channel refused the card, e.g. one of a quorum of two) or a reminder or
 * escalation posted where Teams took it is an approver who saw it.
 */
import { approvalCardRefusedThroughout, approvalRefusedEntry } from '../../src/flows/approval-announce';
import { breakGlassService } from './support/break-glass-service';
import { DAY, policy, rule, TENANT } from './support/policy-fixtures';
import { APPROVER, grantPlan, REQUESTER } from './support/requests';

const refused = { action: 'approval.card.posted', outcome: 'refused' };

test('refused and nothing else: no approver saw it', () => {
  expect(approvalCardRefusedThroughout({}, [refused])).toBe(true);
  expect(approvalCardRefusedThroughout({ approvals: [] }, [refused])).toBe(true);
});

test('refused, but an approver approved it (a quorum of two expiring with one approval): not refused throughout', () => {
  const approvals = [{ by: { objectId: 'a1', name: 'Approver One' }, at: '2026-12-01T10:00:00Z' }];
  expect(approvalCardRefusedThroughout({ approvals }, [refused])).toBe(false);
});

test.each(['approval.escalated', 'approval.reminded'])(
  'refused, but the %s post went out where Teams took it: not refused throughout',
  (action) => {
    const outcome = action === 'approval.escalated' ? 'escalated' : 'reminded';
    expect(approvalCardRefusedThroughout({}, [refused, { action, outcome }])).toBe(false);
  },
);

test('a nudge that was not posted either leaves it refused throughout', () => {
  expect(approvalCardRefusedThroughout({}, [refused, { action: 'approval.escalated', outcome: 'unposted' }])).toBe(
    true,
  );
});

test('a card posted after a refusal is not refused throughout', () => {
  expect(approvalCardRefusedThroughout({}, [refused, { action: 'approval.card.posted', outcome: 'posted' }])).toBe(
    false,
  );
});

describe('at expiry, through the real RequestService', () => {
  async function expiredNews(approvedOnce: boolean) {
    const changes: Array<{ state: string; refused?: boolean }> = [];
    const t = breakGlassService({
      policies: { current: () => policy([rule('prod')]) },
      notifier: {
        requestChanged: async (r, change) =>
          void changes.push({ state: r.state, refused: change?.approvalCardRefused }),
      },
    });
    const asked = await t.service.create({
      requester: REQUESTER,
      tenantId: TENANT,
      reason: 'deploy payments-api',
      plan: grantPlan(),
      origin: { conversationId: '19:general@thread.tacv2', conversationType: 'channel' },
    });
    await t.audit.append(
      approvalRefusedEntry(asked, '19:approvals@thread.tacv2', { status: 403 }, 'by the announcement', true),
    );
    // One approval of a quorum of two, given through "@acrbot pending" while the card was
    // refused: stored on the request as the decision records it.
    if (approvedOnce) {
      const stored = (await t.store.get(asked.id))!;
      await t.store.update({
        ...stored,
        version: stored.version + 1,
        approvals: [{ by: APPROVER, at: t.clock.now().toISOString(), reason: 'ok' }],
      });
    }
    t.clock.advance(2 * DAY);
    expect(await t.service.expireIfDue(asked.id)).toBe(true);
    return changes.filter((c) => c.state === 'expired');
  }

  test('refused throughout and never approved: the news says no approver saw it', async () => {
    expect(await expiredNews(false)).toEqual([{ state: 'expired', refused: true }]);
  });

  test('refused, but one of a quorum of two approved it: the usual words', async () => {
    expect(await expiredNews(true)).toEqual([{ state: 'expired', refused: undefined }]);
  });
});

/**
 * A break-glass request is "approved" by its requester only so it runs at once: its request card
 * must never say "Approved by <requester>", whatever became of the run. A failed one says it ran
 * without approval and failed, with the review when an approver made one.
 */
import type { AccessRequest, PolicyBinding } from '../../src/domain/request';
import type { AdaptiveCardJson } from '../../src/views/card-templates';
import { requestCard } from '../../src/views/request-view';
import { APPROVER, pendingRequest, REQUESTER } from './support/requests';

const AT = '2025-01-15T10:00:00.000Z';

/** The card's TextBlocks. */
function texts(card: AdaptiveCardJson): string[] {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const n = node as { type?: string; text?: unknown };
    if (n.type === 'TextBlock' && typeof n.text === 'string') out.push(n.text);
    Object.values(n).forEach(walk);
  };
  walk(card);
  return out;
}

function breakGlass(state: AccessRequest['state'], review?: PolicyBinding['review']): AccessRequest {
  return pendingRequest({
    state,
    decision: { by: REQUESTER, at: AT, approved: true, reason: 'break-glass: prod down' },
    approvals: [{ by: REQUESTER, at: AT }],
    policy: { ruleId: 'break-glass', policyHash: 'h', approvalsRequired: 0, breakGlass: true, review },
    outcome: { summary: 'Failed', azureRequestIds: [], error: 'Azure refused the role assignment.' },
  });
}

describe('the state line of a failed break-glass request', () => {
  test('reviewed: ran without approval, failed, and what the review said; never "Approved by" its requester', () => {
    const shown = texts(
      requestCard(
        breakGlass('failed', {
          dueAt: '2025-01-16T10:00:00.000Z',
          outcome: 'accepted',
          by: APPROVER,
          at: '2025-01-15T12:00:00.000Z',
          reason: 'fair use',
        }),
        { showActions: false },
      ),
    );
    expect(shown).toContain(
      'Break-glass: ran without approval at 2025-01-15 10:00 UTC; it failed; its use was accepted by Alex Approver at 2025-01-15 12:00 UTC — "fair use".',
    );
    expect(shown.join('\n')).not.toContain('Approved by');
  });

  test('without a review on record (a binding stored before reviews): ran without approval, failed', () => {
    const shown = texts(requestCard(breakGlass('failed'), { showActions: false }));
    expect(shown).toContain('Break-glass: ran without approval at 2025-01-15 10:00 UTC; it failed.');
    expect(shown.join('\n')).not.toContain('Approved by');
  });

  test('a reviewed one that succeeded keeps its reviewed sentence', () => {
    const review = { dueAt: '2025-01-16T10:00:00.000Z', outcome: 'rejected' as const, by: APPROVER, at: AT };
    const shown = texts(
      requestCard({ ...breakGlass('succeeded', review), outcome: undefined }, { showActions: false }),
    );
    expect(shown).toContain(
      'Break-glass: ran without approval at 2025-01-15 10:00 UTC; rejected by Alex Approver at 2025-01-15 10:00 UTC.',
    );
  });
});

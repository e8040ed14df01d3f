/**
 * A break-glass request is "approved" by its requester only so it runs at once: its request card
 * must never say "Approved by <requester>", whatever became of the run. A failed one says it ran
 * without approval and failed, with the review when an approver made one; one whose review is
 * still open owes none (it granted nothing), so its card offers no Approve/Reject.
 */
import type { AccessRequest, PolicyBinding } from '../../src/domain/request';
import type { AdaptiveCardJson } from '../../src/views/card-templates';
import { requestCard } from '../../src/views/request-view';
import { breakGlassRequest } from './support/break-glass';
import { APPROVER, REQUESTER } from './support/requests';

const AT = '2025-01-15T10:00:00.000Z';

/** The string `field` of every element of the card whose type is `type`, in order. */
function collect(card: AdaptiveCardJson, type: string, field: 'text' | 'verb'): string[] {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const n = node as { type?: string } & Record<typeof field, unknown>;
    const value = n[field];
    if (n.type === type && typeof value === 'string') out.push(value);
    Object.values(n).forEach(walk);
  };
  walk(card);
  return out;
}

/** The card's TextBlocks. */
function texts(card: AdaptiveCardJson): string[] {
  return collect(card, 'TextBlock', 'text');
}

/** The verbs of the card's Action.Execute buttons. */
function verbs(card: AdaptiveCardJson): string[] {
  return collect(card, 'Action.Execute', 'verb');
}

function breakGlass(state: AccessRequest['state'], review?: PolicyBinding['review']): AccessRequest {
  // Bound to the rule that would have applied: its approvers review (and its card names them).
  return breakGlassRequest(REQUESTER, AT, review, {
    state,
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

  test('with its review still open: no review is owed, and approvers get no Approve/Reject that would keep or revoke nothing', () => {
    // The approvers' copy: the view alone decides whether it has buttons.
    const card = requestCard(breakGlass('failed', { dueAt: '2025-01-16T10:00:00.000Z' }), { showActions: true });
    const shown = texts(card).join('\n');
    expect(shown).toContain(
      'Break-glass: ran without approval at 2025-01-15 10:00 UTC; it failed and granted nothing, so there is nothing to keep or revoke and no review is owed.',
    );
    expect(shown).not.toMatch(/must review|Approve keeps it|Reject revokes it/);
    expect(JSON.stringify(card)).toContain('break-glass: ran at once and failed; nothing to review');
    expect(verbs(card)).not.toEqual(expect.arrayContaining(['approve']));
    expect(verbs(card)).not.toEqual(expect.arrayContaining(['reject']));
  });

  test('one that succeeded with its review open keeps the review and its buttons', () => {
    const review = { dueAt: '2025-01-16T10:00:00.000Z' };
    const card = requestCard({ ...breakGlass('succeeded', review), outcome: undefined }, { showActions: true });
    expect(texts(card).join('\n')).toContain('Approve keeps it, Reject revokes it at once.');
    expect(verbs(card)).toEqual(expect.arrayContaining(['approve', 'reject']));
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

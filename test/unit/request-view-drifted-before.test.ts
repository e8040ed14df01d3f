/**
 * The Drift line of a grant's card (`driftedBefore`, found when it was filed): the pair's earlier
 * grants whose access was removed or changed outside acrbot, with when, while someone still
 * decides (a pending request, a break-glass grant awaiting its review), and not once decided.
 */
import type { AccessRequest } from '../../src/domain/request';
import type { AdaptiveCardJson } from '../../src/views/card-templates';
import { requestCard } from '../../src/views/request-view';
import { APPROVER, pendingRequest } from './support/requests';

/** The card's Drift fact, if any. */
function driftFact(request: AccessRequest): string | undefined {
  let found: string | undefined;
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const n = node as { type?: string; facts?: Array<{ title: string; value: string }> };
    if (n.type === 'FactSet') found ??= n.facts?.find((f) => f.title === 'Drift')?.value;
    Object.values(n).forEach(walk);
  };
  walk(requestCard(request, { showActions: true }) as AdaptiveCardJson);
  return found;
}

const REMOVED = {
  requestId: 'R-AAAA2222',
  driftDetectedAt: '2025-01-14T08:30:00.000Z',
  driftReason: 'deleted' as const,
};
const CHANGED = {
  requestId: 'R-BBBB3333',
  driftDetectedAt: '2025-01-13T07:15:00.000Z',
  driftReason: 'changed' as const,
};

describe("a grant's Drift line", () => {
  test('pending, one removed grant: its id and drift time, and that approving puts the access back', () => {
    expect(driftFact(pendingRequest({ driftedBefore: [REMOVED] }))).toBe(
      "This pair's grant R-AAAA2222 was removed outside acrbot on 2025-01-14 08:30 UTC (drift), perhaps on purpose by the registry's owners; approving puts the access back.",
    );
  });

  test('two: each with how and when', () => {
    expect(driftFact(pendingRequest({ driftedBefore: [REMOVED, CHANGED] }))).toBe(
      "This pair's grants R-AAAA2222 (removed outside acrbot on 2025-01-14 08:30 UTC), R-BBBB3333 (changed outside acrbot on 2025-01-13 07:15 UTC) drifted, perhaps on purpose by the registry's owners; approving puts the access back.",
    );
  });

  test('a break-glass grant awaiting review: it put the access back without approval', () => {
    const request = pendingRequest({
      state: 'succeeded',
      driftedBefore: [REMOVED],
      policy: {
        ruleId: 'break-glass',
        policyHash: 'h',
        approvalsRequired: 0,
        breakGlass: true,
        review: { dueAt: '2025-01-16T09:00:00.000Z' },
      },
      decision: { by: APPROVER, at: '2025-01-15T09:00:00.000Z', approved: true },
    });
    expect(driftFact(request)).toMatch(/; this break-glass grant put the access back without approval\.$/);
  });

  test('decided, or none recorded: no line', () => {
    const decided = pendingRequest({
      state: 'succeeded',
      driftedBefore: [REMOVED],
      decision: { by: APPROVER, at: '2025-01-15T09:30:00.000Z', approved: true },
    });
    expect(driftFact(decided)).toBeUndefined();
    expect(driftFact(pendingRequest())).toBeUndefined();
  });
});

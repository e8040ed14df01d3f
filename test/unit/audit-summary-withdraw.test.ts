/**
 * The audit card's refused-clicks line for "Withdraw my approval" clicks by someone whose
 * approval does not count (`approval.refused.notCounted`, request-decision.ts `withdrawNow`):
 * plain words, as the other refusals, never the recorded code. A withdraw that took an approval
 * back (`approval.withdrawn`) is no refusal: it keeps its own line and breaks a run.
 */
import type { AuditEntry } from '../../src/domain/audit-chain';
import { collapseRefusals } from '../../src/domain/audit-summary';

/** What every entry here shares: one request's trail. */
const ON_ONE_REQUEST = { prevHash: '', tenantId: 't', requestId: 'R-AAAAAAAA', targetIds: [] };

let seq = 0;
function entry(action: string, outcome: string, name: string): AuditEntry {
  seq++;
  const ts = `2026-01-01T00:00:${String(seq).padStart(2, '0')}.000Z`;
  const actor = { objectId: name.toLowerCase(), name };
  return { ...ON_ONE_REQUEST, seq, ts, hash: `h${seq}`, actor, action, outcome } as AuditEntry;
}

describe('collapseRefusals: withdraw clicks', () => {
  test('refused withdraws are counted in plain words, beside the other refused clicks', () => {
    const shown = collapseRefusals([
      entry('approval.refused.notCounted', 'refused', 'Oscar'),
      entry('approval.refused.notCounted', 'refused', 'Riley'),
      entry('approval.refused.stale', 'refused', 'Oscar'),
    ]);
    expect(shown.map((e) => e.action)).toEqual(['3 refused clicks: no approval to withdraw ×2, already decided ×1']);
  });

  test('a withdraw that took an approval back keeps its line between two runs', () => {
    const withdrawn = entry('approval.withdrawn', '0 of 2', 'Alex');
    const shown = collapseRefusals([
      entry('approval.refused.notCounted', 'refused', 'Oscar'),
      entry('approval.refused.notCounted', 'refused', 'Oscar'),
      withdrawn,
      entry('approval.refused.notCounted', 'refused', 'Alex'),
      entry('approval.refused.self', 'refused', 'Riley'),
    ]);
    expect(shown.map((e) => e.action)).toEqual([
      '2 refused clicks: no approval to withdraw ×2',
      'approval.withdrawn',
      '2 refused clicks: no approval to withdraw ×1, self-approval ×1',
    ]);
    expect(shown[1]).toBe(withdrawn);
  });
});

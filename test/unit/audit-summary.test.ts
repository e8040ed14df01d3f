import type { AuditEntry } from '../../src/domain/audit-chain';
import { collapseRefusals } from '../../src/domain/audit-summary';

let seq = 0;
function entry(
  action: string,
  outcome: string,
  name = 'Riley',
  requestId = 'R-AAAAAAAA',
  objectId = name.toLowerCase(),
): AuditEntry {
  seq++;
  return {
    seq,
    ts: `2026-01-01T00:00:${String(seq).padStart(2, '0')}.000Z`,
    prevHash: '',
    hash: `h${seq}`,
    actor: { objectId, name },
    tenantId: 't',
    action,
    requestId,
    targetIds: [],
    outcome,
  } as AuditEntry;
}

describe('collapseRefusals (#11)', () => {
  test('a run of refusals on one request becomes one counted line; single refusals and other entries stay', () => {
    const created = entry('request.created', 'pending');
    const run = [
      entry('approval.refused.self', 'refused'),
      entry('approval.refused.notApprover', 'refused', 'Oscar'),
      entry('approval.refused.self', 'refused'),
    ];
    const approved = entry('request.approved', 'approved', 'Alex');
    const single = entry('approval.refused.stale', 'refused', 'Oscar');
    const other = entry('approval.refused.self', 'refused', 'Riley', 'R-BBBBBBBB');
    const shown = collapseRefusals([created, ...run, approved, single, other]);
    expect(shown.map((e) => e.action)).toEqual([
      'request.created',
      '3 refused clicks: self-approval ×2, not an approver ×1',
      'request.approved',
      'approval.refused.stale',
      'approval.refused.self',
    ]);
    expect(shown[1]).toMatchObject({ seq: run[2].seq, ts: run[2].ts, outcome: 'refused' });
    expect(shown[1].actor.name).toBe('Riley, Oscar');
  });

  test('refusals that are not clicks (a clean-up refused, a secret write refused) keep their own line and detail', () => {
    const stale = entry('approval.refused.stale', 'refused', 'Oscar');
    const cleanup = {
      ...entry('credential.cleanup', 'refused', 'acrbot'),
      detail: 'the stored reference is not acrbot’s',
    };
    const write = entry('kubernetes.write.secret', 'refused', 'acrbot');
    const cancel = entry('request.cancel.refused.notRequester', 'refused', 'Oscar');
    const paused = entry('request.refused.paused', 'refused', 'Alex');
    const shown = collapseRefusals([stale, cleanup, write, cancel, paused]);
    expect(shown.map((e) => e.action)).toEqual([
      'approval.refused.stale',
      'credential.cleanup',
      'kubernetes.write.secret',
      '2 refused clicks: not the requester ×1, new access paused ×1',
    ]);
    expect(shown[1].detail).toBe('the stored reference is not acrbot’s');
  });

  test('two people who share a display name are two clickers, not one (told apart by object id)', () => {
    const run = [
      entry('approval.refused.notApprover', 'refused', 'Alex Smith', 'R-CCCCCCCC', 'oid-1'),
      entry('approval.refused.notApprover', 'refused', 'Alex Smith', 'R-CCCCCCCC', 'oid-2'),
    ];
    const [shown] = collapseRefusals(run);
    expect(shown.actor).toEqual({ objectId: 'several', name: 'Alex Smith, Alex Smith' });
    // One person clicking twice stays that person.
    const [again] = collapseRefusals([run[0], { ...run[0], seq: run[0].seq + 10 }]);
    expect(again.actor).toEqual({ objectId: 'oid-1', name: 'Alex Smith' });
  });
});

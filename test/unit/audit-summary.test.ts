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

describe('collapseRefusals: refusals added later (break-glass review, revoke, extend, comments)', () => {
  test('break-glass review and approval refusals read in words, not as their codes', () => {
    const shown = collapseRefusals([
      entry('breakglass.review.refused.failed', 'refused', 'Alex', 'R-DDDDDDDD'),
      entry('breakglass.review.refused.inProgress', 'refused', 'Alex', 'R-DDDDDDDD'),
      entry('approval.refused.notActive', 'refused', 'Alex', 'R-DDDDDDDD'),
    ]);
    expect(shown.map((e) => e.action)).toEqual([
      '3 refused clicks: run failed, no review owed ×1, still running ×1, original access ended ×1',
    ]);
  });

  test('refused revokes, extends and decision comments (their code as outcome) collapse like other refused clicks', () => {
    const id = 'R-EEEEEEEE';
    const history = [
      entry('request.created', 'pending', 'Riley', id),
      entry('request.approved', 'approved', 'Alex', id),
      entry('request.succeeded', 'succeeded', 'acrbot', id),
    ];
    const codes = [
      ['extend.refused', 'extend.resourceUnreadable'],
      ['extend.refused', 'extend.notRequester'],
      ['revoke.refused', 'revoke.notAllowed'],
      ['validation.failed', 'validation.tooLong'],
      ['extend.refused', 'extend.someFutureCode'],
    ];
    // A flood from one person who may not act, as a script sending clicks would make it.
    const flood = Array.from({ length: 40 }, (_, i) => entry(codes[i % 5][0], codes[i % 5][1], 'Oscar', id));
    const revoked = entry('access.revoked', 'revoked', 'acrbot', id);
    const shown = collapseRefusals([...history, ...flood, revoked]);
    // The audit channel card lists the last 30 (audit-card-sync.ts): the history stays on it.
    expect(shown.slice(-30).map((e) => e.action)).toEqual([
      'request.created',
      'request.approved',
      'request.succeeded',
      '40 refused clicks: cluster or registry unreadable ×8, not the requester ×8, not allowed to revoke ×8, ' +
        'comment too long ×8, extend.someFutureCode ×8',
      'access.revoked',
    ]);
    // The line says refused, whatever code the last of the run had; no one refusal's detail.
    expect(shown[3]).toMatchObject({ seq: flood[39].seq, outcome: 'refused', detail: undefined });
    expect(shown[3].actor).toEqual({ objectId: 'oscar', name: 'Oscar' });
  });

  test("an extension's other refusals read in words too", () => {
    const id = 'R-FFFFFFFF';
    const run = ['extend.breakGlass', 'extend.concurrent', 'extend.alreadyPending', 'extend.inProgress'].map((code) =>
      entry('extend.refused', code, 'Riley', id),
    );
    expect(collapseRefusals(run).map((e) => e.action)).toEqual([
      '4 refused clicks: break-glass is not extended ×1, another extension being filed ×1, ' +
        'an extension already waiting ×1, an extension being applied ×1',
    ]);
  });

  test('a refused card click tied to no request (validation.failed badCardAction) and a single coded refusal keep their line', () => {
    const badClick = {
      ...entry('validation.failed', 'badCardAction', 'Oscar'),
      requestId: undefined,
      detail: 'verb=x',
    };
    const unknownVerb = { ...entry('validation.failed', 'unknownCardVerb', 'Oscar'), requestId: undefined };
    const once = { ...entry('extend.refused', 'extend.resourceUnreadable', 'Riley'), detail: undefined };
    const shown = collapseRefusals([badClick, unknownVerb, once]);
    expect(shown).toEqual([badClick, unknownVerb, once]);
  });
});

describe('collapseRefusals: typed commands refused on a request (status, pending)', () => {
  test("someone typing another's request id again and again is one counted line in words", () => {
    const id = 'R-GGGGGGGG';
    const created = entry('request.created', 'pending', 'Riley', id);
    const run = [
      entry('status.refused', 'status.notYours', 'Oscar', id),
      entry('pending.refused', 'pending.notApprover', 'Oscar', id),
      entry('status.refused', 'status.notYours', 'Oscar', id),
    ];
    const approved = entry('request.approved', 'approved', 'Alex', id);
    expect(collapseRefusals([created, ...run, approved]).map((e) => e.action)).toEqual([
      'request.created',
      '3 refused clicks: not theirs to see ×2, not an approver ×1',
      'request.approved',
    ]);
  });

  test('refusals tied to no request (access NAME, revoke CLUSTER REGISTRY) keep their own line', () => {
    const access = { ...entry('access.refused', 'refused', 'Oscar'), requestId: undefined, detail: 'access aks-prod' };
    const pair = { ...entry('revoke.refused', 'revoke.notApprover', 'Oscar'), requestId: undefined };
    expect(collapseRefusals([access, pair])).toEqual([access, pair]);
  });
});

describe('collapseRefusals: refusals of a term or a subscription the settings of now no longer allow', () => {
  test('an Approve refused for its term or its subscription, and an extend refused for its subscription, in words', () => {
    const id = 'R-HHHHHHHH';
    const run = [
      entry('approval.refused.term', 'refused', 'Alex', id),
      entry('approval.refused.subscription', 'refused', 'Alex', id),
      entry('approval.refused.subscription', 'refused', 'Oscar', id),
      entry('extend.refused', 'extend.subscriptionUnserved', 'Riley', id),
    ];
    expect(collapseRefusals(run).map((e) => e.action)).toEqual([
      '4 refused clicks: term past the limits ×1, subscription no longer served ×3',
    ]);
  });
});

describe('collapseRefusals: clicks of an approver whose account is disabled or gone', () => {
  test('an Approve, a review and a revoke refused for a disabled account, in words', () => {
    const id = 'R-JJJJJJJJ';
    const run = [
      entry('approval.refused.disabledOrGone', 'refused', 'Alex', id),
      entry('breakglass.review.refused.disabledOrGone', 'refused', 'Alex', id),
      entry('revoke.refused', 'revoke.disabledOrGone', 'Alex', id),
    ];
    expect(collapseRefusals(run).map((e) => e.action)).toEqual(['3 refused clicks: account disabled or gone ×3']);
  });
});

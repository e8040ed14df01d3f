/**
 * A run picked up long after its approval (a store restored from a backup brings back a run caught
 * mid-execution, whose access may have been revoked since) is failed, not carried out: audited
 * `request.failed` with the reason, the cards told, and what its earlier attempt recorded as
 * created left to a failed run's clean-up (a grant's role assignment as unconfirmed, a secret's
 * credential to its clean-up job). Within the limit of its kind it runs as before.
 */
import { CLUSTER_WAIT_LIMIT_MS } from '../../src/flows/run-resumption';
import { UNCONFIRMED_GRANT } from '../../src/flows/grant-runner';
import { GRANT_RUN_LIMIT_MS, SECRET_RUN_MARGIN_MS } from '../../src/flows/run-resumption';
import type { AccessRequest } from '../../src/domain/request';
import { recordedCredentials } from '../../src/domain/secret-ownership';
import { MINUTE } from './support/fake-clock';
import { executorOnMemory } from './support/executor-resume';
import { APPROVER, grantPlan, pendingRequest, secretPlan } from './support/requests';

const APPROVED_AT = '2025-01-15T09:00:00.000Z';
const setup = () => executorOnMemory(APPROVED_AT);

const decision = { approved: true, by: APPROVER, at: APPROVED_AT };
const roleAssignment = {
  kind: 'roleAssignment' as const,
  id: `${grantPlan().scope}/providers/Microsoft.Authorization/roleAssignments/${grantPlan().roleAssignmentName}`,
  name: grantPlan().roleAssignmentName,
  recordedAt: APPROVED_AT,
};
/** A grant caught mid-run: started, its role assignment recorded (the PUT may have been made). */
const executingGrant = (created = [roleAssignment]): AccessRequest =>
  pendingRequest({ id: 'R-GRANT001', state: 'executing', version: 3, decision, updatedAt: APPROVED_AT, created });

describe('a grant run picked up too long after its approval', () => {
  test('resumed: failed "interrupted too long ago", audited, the cards told, its recorded assignment left to the lifecycle as unconfirmed', async () => {
    const { clock, audit, runs, told, resume } = setup();
    clock.advance(GRANT_RUN_LIMIT_MS + 1);
    const after = await resume(executingGrant());
    expect(runs).toEqual([]);
    expect(after.state).toBe('failed');
    expect(after.outcome).toMatchObject({ summary: 'Failed', errorCode: UNCONFIRMED_GRANT });
    expect(after.outcome!.error).toBe(
      'The run of request R-GRANT001 was interrupted too long ago to resume safely (approved at 2025-01-15 09:00 UTC, more than 2 hours ago; a store restored from a backup brings back runs whose access may have been ended since), so acrbot did not finish it; ask again. An earlier attempt of this request had already asked Azure for the role assignment, so it may exist: if it does, acrbot deletes it, and nothing is granted.',
    );
    const trail = await audit.forRequest('R-GRANT001');
    expect(trail.map((e) => `${e.action}:${e.outcome}`)).toEqual([
      'request.failed:failed',
      'request.outcome.told:sent',
    ]);
    expect(trail[0]!.detail).toBe(after.outcome!.error);
    expect(told).toEqual(['failed']);
  });

  test('resumed with nothing recorded: failed with its own code, nothing left to clean up', async () => {
    const { clock, runs, resume } = setup();
    clock.advance(GRANT_RUN_LIMIT_MS + 1);
    const after = await resume(executingGrant([]));
    expect(runs).toEqual([]);
    expect(after.outcome).toMatchObject({ errorCode: 'run.tooOld' });
    expect(after.outcome!.error).toMatch(/so acrbot did not finish it; ask again\.$/);
  });

  test('approved and never started: "Not started", nothing changed in Azure', async () => {
    const { clock, audit, runs, resume } = setup();
    clock.advance(3 * GRANT_RUN_LIMIT_MS);
    const after = await resume(pendingRequest({ id: 'R-GRANT002', state: 'approved', version: 2, decision }));
    expect(runs).toEqual([]);
    expect(after.state).toBe('failed');
    expect(after.outcome).toMatchObject({ summary: 'Not started', errorCode: 'run.tooOld' });
    expect(after.outcome!.error).toContain('interrupted too long ago to resume safely');
    expect(after.outcome!.error).toContain('so acrbot made no change in Azure; ask again.');
    // Its approval had no entry (the fixture stores it without one): written first, in the approver's name.
    expect((await audit.forRequest('R-GRANT002')).map((e) => e.action)).toEqual([
      'request.approved',
      'request.failed',
      'request.outcome.told',
    ]);
  });

  test('at the limit it is resumed as before', async () => {
    const { clock, runs, resume } = setup();
    clock.advance(GRANT_RUN_LIMIT_MS);
    const after = await resume(executingGrant());
    expect(runs).toEqual(['R-GRANT001']);
    expect(after.state).toBe('succeeded');
  });
});

describe('a secret run: the limit is the cluster wait limit and a margin', () => {
  const token = [
    { kind: 'acrToken' as const, id: 'tok-id', name: 'acrbot-r-secret01', recordedAt: APPROVED_AT },
    { kind: 'scopeMap' as const, id: 'map-id', name: 'acrbot-r-secret01', recordedAt: APPROVED_AT },
  ];
  const executingSecret = (): AccessRequest =>
    pendingRequest({
      id: 'R-SECRET01',
      state: 'executing',
      version: 3,
      decision,
      plan: secretPlan(),
      created: token,
      waiting: { since: APPROVED_AT, reason: 'waiting on the cluster', reference: 'exec-R-SECRET01' },
    });

  test("still waiting on its cluster past a grant's limit: resumed (the runner gives up by itself)", async () => {
    const { clock, runs, resume } = setup();
    clock.advance(CLUSTER_WAIT_LIMIT_MS + MINUTE);
    await resume(executingSecret());
    expect(runs).toEqual(['R-SECRET01']);
  });

  test('past the limit and the margin: failed, its recorded credential left to its clean-up job', async () => {
    const { clock, runs, told, resume } = setup();
    clock.advance(CLUSTER_WAIT_LIMIT_MS + SECRET_RUN_MARGIN_MS + 1);
    const request = executingSecret();
    const after = await resume(request);
    expect(runs).toEqual([]);
    expect(after.state).toBe('failed');
    expect(after.outcome).toMatchObject({
      errorCode: 'run.tooOld',
      cleanup: 'pending',
      credentialRef: JSON.stringify(recordedCredentials(request)),
    });
    expect(after.outcome!.error).toContain('more than 36 hours ago');
    expect(after.outcome!.error).toContain('it is recorded for clean-up and will be retried');
    expect(told).toEqual(['failed']);
  });
});

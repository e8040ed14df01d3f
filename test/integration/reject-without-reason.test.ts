/**
 * G11 for a Reject click without a reason, through the real app over HTTP (sandbox mode): the
 * card asks approvers for a reason as before, and the refusal is in the audit trail whoever
 * clicked (RequestService judges the click and audits why), while the request stays as it was.
 * When its state refuses the click anyway (decided already, a break-glass grant still being
 * granted), approvers are told that, as for a Reject with a reason, not asked for one.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditEntry } from '../../src/domain/audit-chain';
import type { AccessRequest } from '../../src/domain/request';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { SANDBOX_ONCALL_GROUP_ID, SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { type Harness, startHarness, users } from '../helpers/harness';
import type { TeamsUser } from '../helpers/teams-activities';
import { TempDirs } from '../helpers/temp-dirs';

/** Every character a card answer shows or holds, as one string. */
const shown = (res: { body: any }): string => JSON.stringify(res.body?.value ?? res.body);

const ASKED = 'Type the reason for rejecting';

/**
 * Holds a break-glass run's last write (to its final state) until released: meanwhile the grant
 * is still being granted (`executing`), as for the few seconds a real grant takes.
 */
class HoldingRunStore extends MemoryRequestStore {
  private held?: { reached: () => void; released: Promise<void> };
  /** Holds the next such write; `reached` settles once the run waits on it. */
  holdNextRunEnd(): { reached: Promise<void>; release: () => void } {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const reached = new Promise<void>((resolve) => (this.held = { reached: resolve, released }));
    return { reached, release };
  }
  override async update(next: AccessRequest): Promise<void> {
    const held = this.held;
    if (held && next.policy?.breakGlass && (next.state === 'succeeded' || next.state === 'failed')) {
      this.held = undefined;
      held.reached();
      await held.released;
    }
    return super.update(next);
  }
}

/** A policy whose break-glass grants the sandbox approver reviews; written under `dir`. */
function breakGlassPolicy(dir: string): string {
  const policy = join(dir, 'policy.yaml');
  writeFileSync(
    policy,
    `version: 1
rules:
  - id: default
    match: {}
    approvers: { users: ["${SANDBOX_USERS.approver.objectId}"] }
breakGlass:
  groups: ["${SANDBOX_ONCALL_GROUP_ID}"]
  maxDuration: 4h
`,
  );
  return policy;
}

describe('a Reject click without a reason (G11)', () => {
  let h: Harness;
  const temp = new TempDirs();
  afterEach(async () => {
    try {
      await h?.stop();
    } finally {
      temp.removeAll();
    }
  });

  /** The request's audit entries written after the `before` first ones. */
  const entriesSince = async (request: AccessRequest, before: number): Promise<AuditEntry[]> =>
    (await h.app.audit.forRequest(request.id)).slice(before);

  /** Reject without a comment (or with one nobody can read); returns the card and the entries it wrote. */
  async function rejectBare(user: TeamsUser, request: AccessRequest, comment?: string) {
    const before = (await h.app.audit.forRequest(request.id)).length;
    const res = await h.click(user, 'reject', { requestId: request.id, ...(comment !== undefined && { comment }) });
    expect(res.status).toBe(200);
    return { card: shown(res), entries: await entriesSince(request, before) };
  }

  test('is refused and audited for the approver, the requester and anyone else; the request stays pending', async () => {
    h = await startHarness();
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    const stored = (await h.app.store.get(request.id))!;

    const approver = await rejectBare(users.approver, request);
    expect(approver.card).toContain(ASKED);
    expect(approver.card).toContain('"verb":"reject"');
    expect(approver.entries).toEqual([
      expect.objectContaining({
        action: 'approval.refused.justification',
        actor: expect.objectContaining({ objectId: users.approver.objectId }),
        outcome: 'refused',
        ruleId: 'default',
      }),
    ]);
    // A comment of invisible characters is no reason either.
    expect((await rejectBare(users.approver, request, '\u200b\u3164')).entries.map((e) => e.action)).toEqual([
      'approval.refused.justification',
    ]);

    // Those who may not decide are not asked for a reason; the refusal says why they were refused.
    const requester = await rejectBare(users.requester, request);
    expect(requester.card).not.toContain(ASKED);
    expect(requester.card).toContain('deploy payments-api');
    expect(requester.entries.map((e) => [e.action, e.actor.objectId])).toEqual([
      ['approval.refused.self', users.requester.objectId],
    ]);
    const outsider = await rejectBare(users.outsider, request);
    expect(outsider.card).not.toContain(ASKED);
    expect(outsider.card).toContain('waiting for approval');
    expect(outsider.card).not.toContain('deploy payments-api');
    expect(outsider.entries.map((e) => [e.action, e.actor.objectId])).toEqual([
      ['approval.refused.notApprover', users.outsider.objectId],
    ]);

    // Nothing else: no store transition, no decision.
    const after = (await h.app.store.get(request.id))!;
    expect(after).toMatchObject({ state: 'pending', version: stored.version });
    expect(after.decision).toBeUndefined();
    const actions = (await h.app.audit.forRequest(request.id)).map((e) => e.action);
    expect(actions).not.toContain('request.rejected');
  });

  test('on a request decided already: audited as stale, no reason asked for', async () => {
    // Decided by another approver: the approver's own Reject clicked again is told it stands
    // (own-decision-clicked-again.test.ts), not refused.
    const policy = join(temp.make('acrbot-reject-reason-'), 'policy.yaml');
    writeFileSync(
      policy,
      `version: 1
rules:
  - id: default
    match: {}
    approvers: { users: ["${SANDBOX_USERS.approver.objectId}", "${SANDBOX_USERS.secondApprover.objectId}"] }
`,
    );
    h = await startHarness({ ACRBOT_POLICY: policy });
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy billing-api');
    await h.click(SANDBOX_USERS.secondApprover as TeamsUser, 'reject', {
      requestId: request.id,
      comment: 'use the staging registry',
    });
    const rejected = (await h.app.store.get(request.id))!;
    expect(rejected.state).toBe('rejected');
    const late = await rejectBare(users.approver, request);
    expect(late.card).not.toContain(ASKED);
    // Told what a Reject with a reason is told: it was decided already.
    expect(late.card).toContain(`Request ${request.id} is already rejected`);
    expect(late.card).toContain('nothing was changed');
    expect(late.entries.map((e) => e.action)).toEqual(['approval.refused.stale']);
    expect((await h.app.store.get(request.id))!.version).toBe(rejected.version);
  });

  test('a break-glass review rejected without a reason: audited, the grant stays unreviewed', async () => {
    const policy = breakGlassPolicy(temp.make('acrbot-reject-reason-'));
    h = await startHarness({ ACRBOT_POLICY: policy });
    const olive = SANDBOX_USERS.oncall as TeamsUser;
    const request = await h.requestGrant(olive, 'aks-prod contosoacr --break-glass prod is down, pulls failing');
    const granted = await h.settle(request.id);
    expect(granted.state).toBe('succeeded');
    const review = await rejectBare(users.approver, request);
    expect(review.card).toContain(ASKED);
    expect(review.entries).toEqual([
      expect.objectContaining({
        action: 'breakglass.review.refused.justification',
        actor: expect.objectContaining({ objectId: users.approver.objectId }),
        outcome: 'refused',
      }),
    ]);
    const after = (await h.app.store.get(request.id))!;
    expect(after).toMatchObject({ state: 'succeeded', version: granted.version });
    expect(after.policy?.review?.outcome).toBeUndefined();
  });

  test('a break-glass grant still being granted: a Reject without a reason is told so, as one with a reason is', async () => {
    const requests = new HoldingRunStore();
    h = await startHarness(
      { ACRBOT_POLICY: breakGlassPolicy(temp.make('acrbot-reject-granting-')) },
      { stores: { requests } },
    );
    const hold = requests.holdNextRunEnd();
    const olive = SANDBOX_USERS.oncall as TeamsUser;
    const request = await h.requestGrant(olive, 'aks-prod contosoacr --break-glass prod is down, pulls failing');
    try {
      await hold.reached;
      const granting = (await h.app.store.get(request.id))!;
      expect(granting.state).toBe('executing');

      // No reason is asked for: one would not help, the grant is not in place yet.
      const bare = await rejectBare(users.approver, request);
      expect(bare.card).not.toContain(ASKED);
      expect(bare.card).toContain('is still being granted; review it in a few seconds');
      expect(bare.entries.map((e) => e.action)).toEqual(['breakglass.review.refused.inProgress']);
      const reasoned = await rejectBare(users.approver, request, 'not an incident, use a normal grant');
      expect(reasoned.card).toContain('is still being granted; review it in a few seconds');
      expect(reasoned.entries.map((e) => e.action)).toEqual(['breakglass.review.refused.inProgress']);
      expect((await h.app.store.get(request.id))!.version).toBe(granting.version);
    } finally {
      hold.release();
    }
    const granted = await h.settle(request.id);
    expect(granted.state).toBe('succeeded');
    expect(granted.policy?.review?.outcome).toBeUndefined();
  });
});

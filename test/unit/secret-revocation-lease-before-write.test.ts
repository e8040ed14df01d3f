/**
 * A secret's revocation sends its service account PATCH and its credential's DELETE only while the
 * run still holds its leases (the access lease, the job's), checked right before each: nothing
 * fences them, and a run frozen past its leases while another instance finished the revocation
 * and the same secret name was written again for a newer request would take that request's
 * `imagePullSecrets` entry out (entries go by name). A lease lost at either point stops the run
 * with {@link LeaseLostError}: nothing more is sent, nothing is recorded as the cluster step's
 * failure, and the request stays `succeeded` (it is not marked revoked). What was sent before the
 * stop (the secret's DELETE) is recorded all the same: its retry finds the secret gone.
 */
import {
  LeaseLostError,
  LeaseMarginError,
  type PullSecretRemoval,
  type SecretRemoveResult,
} from '../../src/domain/ports';
import type { AccessRequest } from '../../src/domain/request';
import { pullSecretRecordId } from '../../src/domain/secret-ownership';
import type { JobRun } from '../../src/flows/scheduler';
import type { SecretRunnerPorts } from '../../src/flows/secret-runner';
import { FakeClock, HOUR } from './support/fake-clock';
import { leaseLostWorld, losableJobRun } from './support/lease-lost-world';
import { APPROVER, pendingRequest, REGISTRY_ID, secretPlan } from './support/requests';

const plan = secretPlan({ serviceAccount: 'default' });
const TOKEN = 'acrbot-r-aaaaaaaa';
/** The `Audit-Id` of the secret's DELETE. */
const AUDIT_ID = 'a0d17000-0000-4000-8000-000000000001';

/**
 * A lifecycle over memory stores whose cluster and token ports list the writes they are sent.
 * The cluster port does what the Kubernetes adapter does: the secret's conditional DELETE (once:
 * a retry finds it absent), then per service account `beforePatch` right before its PATCH, whose
 * throw ends the removal, answered as `stopped` with what was done before it.
 * `afterSecretDelete` runs between the two (where a run may freeze).
 */
function world(withLeases: boolean) {
  const sent: string[] = [];
  let secretGone = false;
  let afterSecretDelete = async (): Promise<void> => undefined;
  const ports = {
    kubernetes: {
      access: async () => ({}),
      remove: async (_access: unknown, input: PullSecretRemoval): Promise<SecretRemoveResult> => {
        const secret = secretGone
          ? ({ secret: 'absent' } as const)
          : ({ secret: 'deleted', requestId: AUDIT_ID } as const);
        if (!secretGone) {
          sent.push(`DELETE secret ${input.secretName}`);
          secretGone = true;
          await afterSecretDelete();
        }
        const serviceAccountsPatched: string[] = [];
        for (const serviceAccount of input.serviceAccounts) {
          try {
            await input.beforePatch?.();
          } catch (cause) {
            return { ...secret, serviceAccountsPatched, serviceAccountsAbsent: [], stopped: { cause } };
          }
          sent.push(`PATCH serviceaccount ${serviceAccount}`);
          serviceAccountsPatched.push(serviceAccount);
        }
        return { ...secret, serviceAccountsPatched, serviceAccountsAbsent: [] };
      },
    },
    tokens: {
      getToken: async () => ({ id: `${REGISTRY_ID}/tokens/${TOKEN}`, provisioningState: 'Succeeded' }),
      deleteToken: async (_registry: unknown, name: string) => {
        sent.push(`DELETE token ${name}`);
        return {};
      },
    },
  } as unknown as SecretRunnerPorts;
  const base = leaseLostWorld(ports, withLeases);
  /** Runs `freeze` once, as the credential's `deleting` mark is stored: the step before its DELETE. */
  const atCredentialMark = (freeze: () => Promise<void>) =>
    base.atAppend((e) => e.action === 'access.revoke.credential' && e.outcome === 'deleting', freeze);
  const actions = async (id: string) => (await base.audit.forRequest(id)).map((e) => `${e.action}:${e.outcome}`);
  const entries = async (id: string, action: string) =>
    (await base.audit.forRequest(id)).filter((e) => e.action === action);
  return {
    ...base,
    sent,
    atCredentialMark,
    actions,
    entries,
    afterSecretDelete: (run: () => Promise<void>) => {
      afterSecretDelete = run;
    },
  };
}

/** A token secret linked to `default` that expired an hour ago; its records say it wrote both. */
function expiredSecret(clock: FakeClock): AccessRequest {
  return pendingRequest({
    id: 'R-AAAAAAAA',
    state: 'succeeded',
    plan,
    decision: { by: APPROVER, at: clock.now().toISOString(), approved: true },
    access: { durationMs: HOUR, expiresAt: new Date(clock.now().getTime() - HOUR).toISOString() },
    created: [
      { kind: 'acrToken', id: `${REGISTRY_ID}/tokens/${TOKEN}`, name: TOKEN, recordedAt: '' },
      { kind: 'pullSecret', id: pullSecretRecordId(plan), uid: 'uid-1', recordedAt: '' },
    ],
    outcome: {
      summary: 'granted',
      azureRequestIds: [],
      createdIds: [],
      secret: { action: 'created', serviceAccountPatched: true, serviceAccounts: ['default'] },
    },
  });
}

describe("a secret's revocation", () => {
  test('whose access lease another instance took after its secret was deleted sends no PATCH and no token DELETE', async () => {
    const t = world(true);
    const request = expiredSecret(t.clock);
    await t.store.create(request);
    t.afterSecretDelete(async () => {
      // Frozen past the lease's TTL; another revocation of the same access takes it.
      t.clock.advance(61_000);
      const key = `secret:${plan.cluster.id.toLowerCase()}|${plan.namespace}|${plan.secretName}`;
      expect(await t.leases.acquire(key, 'other|R-OTHER', 60_000)).toBeDefined();
    });

    await expect(t.lifecycle.revoke(request, APPROVER, 'incident', false)).rejects.toBeInstanceOf(LeaseLostError);

    expect(t.sent).toEqual(['DELETE secret acr-auth']);
    expect((await t.store.get(request.id))!.state).toBe('succeeded');
    // Not the cluster step's failure: nothing said of it, the credential left to the run that holds the work.
    expect(await t.actions(request.id)).not.toContain('access.revoke.secret:failed');
    expect((await t.actions(request.id)).filter((a) => a.startsWith('access.revoke.credential'))).toEqual([]);
    // The other instance's lease is left as it found it.
    const key = `secret:${plan.cluster.id.toLowerCase()}|${plan.namespace}|${plan.secretName}`;
    expect((await t.leases.holder(key))?.owner).toBe('other|R-OTHER');
  });

  test("whose job's lease was lost after its secret was deleted sends no PATCH", async () => {
    const t = world(false);
    const request = expiredSecret(t.clock);
    await t.store.create(request);
    const job = losableJobRun();
    t.afterSecretDelete(async () => job.lose());

    await expect(t.lifecycle.onExpire(t.expireJob(request), job.run)).rejects.toBeInstanceOf(LeaseLostError);

    expect(t.sent).toEqual(['DELETE secret acr-auth']);
    expect((await t.store.get(request.id))!.state).toBe('succeeded');
    expect(await t.actions(request.id)).not.toContain('access.revoke.secret:failed');
  });

  test("whose job's lease was lost at its credential's deleting mark sends no token DELETE", async () => {
    const t = world(false);
    const request = expiredSecret(t.clock);
    await t.store.create(request);
    const job = losableJobRun();
    t.atCredentialMark(async () => job.lose());

    await expect(t.lifecycle.onExpire(t.expireJob(request), job.run)).rejects.toBeInstanceOf(LeaseLostError);

    expect(t.sent).toEqual(['DELETE secret acr-auth', 'PATCH serviceaccount default']);
    expect((await t.store.get(request.id))!.state).toBe('succeeded');
    expect(await t.actions(request.id)).not.toContain('access.revoke.credential:deleted');
  });

  test('whose leases hold sends every write and is marked revoked', async () => {
    const t = world(true);
    const request = expiredSecret(t.clock);
    await t.store.create(request);

    await t.lifecycle.onExpire(t.expireJob(request), losableJobRun().run);

    expect(t.sent).toEqual(['DELETE secret acr-auth', 'PATCH serviceaccount default', `DELETE token ${TOKEN}`]);
    expect((await t.store.get(request.id))!.state).toBe('revoked');
  });

  test("stopped at its service account's PATCH records the secret's deletion (its Audit-Id) first; the retry finishes, the deletion recorded once", async () => {
    const t = world(false);
    const request = expiredSecret(t.clock);
    await t.store.create(request);
    // The store fails the job lease's renewal at the PATCH's check, too near its expiry to write,
    // and answers again by the credential's: the run still stops there, and says what it did.
    let storeFails = false;
    const run: JobRun = {
      check: async () => {
        if (!storeFails) return;
        storeFails = false;
        throw new LeaseMarginError('job:test', new Error('store unavailable'));
      },
      signal: new AbortController().signal,
    };
    t.afterSecretDelete(async () => {
      storeFails = true;
    });

    await expect(t.lifecycle.onExpire(t.expireJob(request), run)).rejects.toBeInstanceOf(LeaseMarginError);

    expect(t.sent).toEqual(['DELETE secret acr-auth']);
    expect((await t.store.get(request.id))!.state).toBe('succeeded');
    expect(await t.entries(request.id, 'access.revoke.secret')).toEqual([
      expect.objectContaining({ outcome: 'deleted', correlationIds: [AUDIT_ID] }),
    ]);
    // Stopped there: the credential's step not begun (nor its `deleting` mark written).
    expect((await t.actions(request.id)).filter((a) => !a.startsWith('access.revoke.secret:'))).not.toContainEqual(
      expect.stringMatching(/^access\.revoke\.(credential|serviceAccount):/),
    );

    // The next run holds its leases: the secret is gone, the entry and the token go now.
    await t.lifecycle.onExpire(t.expireJob(request), losableJobRun().run);

    expect(t.sent).toEqual(['DELETE secret acr-auth', 'PATCH serviceaccount default', `DELETE token ${TOKEN}`]);
    expect((await t.store.get(request.id))!.state).toBe('revoked');
    // Deleted by the first run, as recorded; the retry only found it gone (as after any retry).
    expect((await t.actions(request.id)).filter((a) => a.startsWith('access.revoke.secret:'))).toEqual([
      'access.revoke.secret:deleted',
      'access.revoke.secret:absent',
    ]);
  });
});

/**
 * G15: the clean-up job of a `--kind sp` credential finds, under the role assignment name acrbot
 * recorded, an assignment that is not the one acrbot made (another role: the name is a
 * predictable UUIDv5). It is left in place and recorded like a refused clean-up: audited once
 * (`credential.cleanup`, refused, naming the assignment and its scope), named in the stored
 * outcome for an operator, never retried; acrbot's own application is still deleted and the
 * clean-up ends.
 */
import type { RoleAssignmentInfo } from '../../src/domain/azure-model';
import { roleAssignmentName } from '../../src/domain/identifiers';
import { VersionConflictError, type RequestStore } from '../../src/domain/ports';
import type { AccessRequest } from '../../src/domain/request';
import { retirementPendingSentence } from '../../src/domain/secret-ownership';
import {
  type CleanupDeps,
  cleanupPending,
  leftAssignmentSentence,
  retryCleanupOf,
} from '../../src/flows/credential-cleanup';
import type { SecretRunnerPorts } from '../../src/flows/secret-runner';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { FakeClock } from './support/fake-clock';
import { pendingRequest, REGISTRY_ID, secretPlan, SUB } from './support/requests';

const APP_OBJECT_ID = '00000000-0000-4000-8000-0000000000a1';
const APP_ID = '00000000-0000-4000-8000-0000000000c1';
const SP_ID = '00000000-0000-4000-8000-0000000000b2';
const ACR_PULL = '7f951dda-4ed3-4680-a7ca-43fe172d538d';
const OWNER = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635';
const NAME = roleAssignmentName(REGISTRY_ID, SP_ID, ACR_PULL);
const RECORDED_AT = '2025-01-15T09:00:00.000Z';
const RUNNER_ERROR =
  'The Kubernetes API refused to create secret payments/acr-auth (403). The credential acrbot had created could not be deleted yet; it is recorded for clean-up and will be retried.';

/** acrbot's records of the `--kind sp` credential it made: the application, its principal, the assignment. */
const created: AccessRequest['created'] = [
  { kind: 'application', id: APP_OBJECT_ID, name: 'acrbot-app', recordedAt: RECORDED_AT },
  { kind: 'servicePrincipal', id: SP_ID, name: APP_ID, recordedAt: RECORDED_AT },
  {
    kind: 'roleAssignment',
    id: `${REGISTRY_ID}/providers/Microsoft.Authorization/roleAssignments/${NAME}`,
    name: NAME,
    recordedAt: RECORDED_AT,
  },
] as AccessRequest['created'];

const REF = {
  kind: 'sp',
  applicationId: APP_OBJECT_ID,
  appId: APP_ID,
  roleAssignment: { scope: REGISTRY_ID, name: NAME, subscriptionId: SUB },
};

/** Request `id`, a `--kind sp` run that failed after making the credential: its clean-up pending. */
function failedRunAwaitingCleanup(id: string): AccessRequest {
  return pendingRequest({
    id,
    state: 'failed',
    plan: secretPlan({ credentialKind: 'sp' }),
    created,
    outcome: {
      summary: 'Failed',
      azureRequestIds: [],
      error: RUNNER_ERROR,
      cleanup: 'pending',
      credentialRef: JSON.stringify([REF]),
    },
  });
}

/** Azure holding, under the recorded name, an assignment of acrbot's principal with `role`. */
function azure(role: string) {
  const deletes: string[] = [];
  const assignment: RoleAssignmentInfo = {
    id: `${REGISTRY_ID}/providers/Microsoft.Authorization/roleAssignments/${NAME}`,
    name: NAME,
    scope: REGISTRY_ID,
    principalId: SP_ID,
    roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${role}`,
  };
  const ports = {
    servicePrincipals: {
      findServicePrincipal: async (appId: string) => (appId === APP_ID ? { id: SP_ID } : undefined),
      deleteApplication: async (id: string) => {
        deletes.push(`app:${id}`);
        return {};
      },
    },
    roleAssignments: {
      listForPrincipal: async () => [assignment],
      delete: async (input: { name: string }) => {
        deletes.push(`ra:${input.name}`);
        return {};
      },
    },
  } as unknown as SecretRunnerPorts;
  return { ports, deletes };
}

/** A request store whose next `update` is refused (another write won), as a lost final write. */
class LosesNextUpdate extends MemoryRequestStore {
  lose = false;
  override async update(next: AccessRequest): Promise<void> {
    if (this.lose) {
      this.lose = false;
      throw new VersionConflictError(next.id);
    }
    return super.update(next);
  }
}

/** An audit log whose next append of the retried deletion's entry fails (the job then runs again). */
class FailsNextDeletedEntry extends MemoryAuditLog {
  fail = true;
  override async append(event: Parameters<MemoryAuditLog['append']>[0]) {
    if (this.fail && event.outcome === 'deleted') {
      this.fail = false;
      throw new Error('audit store unavailable');
    }
    return super.append(event);
  }
}

function deps(store: RequestStore, audit: MemoryAuditLog, ports: SecretRunnerPorts): CleanupDeps {
  return {
    store,
    audit,
    ports,
    clock: new FakeClock(),
    log: createLogger({ level: 'silent' }),
    reschedule: async () => undefined,
  };
}

const cleanupEntries = async (audit: MemoryAuditLog, id: string) =>
  (await audit.forRequest(id)).filter((e) => e.action === 'credential.cleanup').map((e) => [e.outcome, e.detail]);

describe('a role assignment under the recorded name that is not the one acrbot made (G15)', () => {
  const sentence = leftAssignmentSentence({ name: NAME, scope: REGISTRY_ID });

  test('the sentence names the assignment and its scope for an operator', () => {
    expect(sentence).toContain(NAME);
    expect(sentence).toContain(REGISTRY_ID);
    expect(sentence).toMatch(/An operator must/);
  });

  test('a failed run’s clean-up: left in place, audited once, named in the outcome, the clean-up ends', async () => {
    const id = 'R-AAAAAAAA';
    const store = new LosesNextUpdate();
    const audit = new MemoryAuditLog(new FakeClock());
    await store.create(failedRunAwaitingCleanup(id));
    const { ports, deletes } = azure(OWNER);
    const d = deps(store, audit, ports);
    // The first run deletes the application and loses its final write: the job runs again.
    store.lose = true;
    await expect(retryCleanupOf(id, d)).rejects.toBeInstanceOf(VersionConflictError);
    await retryCleanupOf(id, d);
    expect(deletes).toEqual([`app:${APP_OBJECT_ID}`]);
    const after = (await store.get(id))!;
    expect(after.outcome?.cleanup).toBe('deleted');
    expect(cleanupPending(after)).toBe(false);
    expect(after.outcome?.error).toBe(`${RUNNER_ERROR} ${sentence}`);
    expect(await cleanupEntries(audit, id)).toEqual([
      ['refused', expect.stringContaining(`role assignment ${NAME} on ${REGISTRY_ID}:`)],
      ['deleted', 'retried after an earlier failure'],
    ]);
    // Never retried: another run of the job acts on nothing and records nothing more.
    await retryCleanupOf(id, d);
    expect(deletes).toEqual([`app:${APP_OBJECT_ID}`]);
    expect(await cleanupEntries(audit, id)).toHaveLength(2);
    expect(await store.get(id)).toEqual(after);
  });

  test('a run that deletes again after a failed audit append audits the left assignment once', async () => {
    const id = 'R-EEEEEEEE';
    const store = new MemoryRequestStore();
    const audit = new FailsNextDeletedEntry(new FakeClock());
    await store.create(failedRunAwaitingCleanup(id));
    const { ports, deletes } = azure(OWNER);
    const d = deps(store, audit, ports);
    await expect(retryCleanupOf(id, d)).rejects.toThrow('audit store unavailable');
    await retryCleanupOf(id, d);
    expect(deletes).toEqual([`app:${APP_OBJECT_ID}`, `app:${APP_OBJECT_ID}`]);
    expect((await cleanupEntries(audit, id)).map(([outcome]) => outcome)).toEqual(['refused', 'deleted']);
    expect((await store.get(id))?.outcome?.error).toBe(`${RUNNER_ERROR} ${sentence}`);
  });

  test('the assignment acrbot made is deleted and nothing is said of it', async () => {
    const id = 'R-BBBBBBBB';
    const store = new MemoryRequestStore();
    const audit = new MemoryAuditLog(new FakeClock());
    await store.create(failedRunAwaitingCleanup(id));
    const { ports, deletes } = azure(ACR_PULL);
    await retryCleanupOf(id, deps(store, audit, ports));
    expect(deletes).toEqual([`ra:${NAME}`, `app:${APP_OBJECT_ID}`]);
    expect((await store.get(id))?.outcome?.error).toBe(RUNNER_ERROR);
    expect((await cleanupEntries(audit, id)).map(([outcome]) => outcome)).toEqual(['deleted']);
  });

  test('a rotation’s replaced credential: left in place, audited once, named in the summary, the mark cleared', async () => {
    const store = new MemoryRequestStore();
    const audit = new MemoryAuditLog(new FakeClock());
    const plan = secretPlan({ credentialKind: 'sp' });
    await store.create(pendingRequest({ id: 'R-CCCCCCCC', state: 'succeeded', plan, created }));
    const summary = `Secret replaced. ${retirementPendingSentence('R-CCCCCCCC')}`;
    await store.create(
      pendingRequest({
        id: 'R-DDDDDDDD',
        state: 'succeeded',
        plan,
        created: [],
        outcome: { summary, azureRequestIds: [], retirement: { requestId: 'R-CCCCCCCC' } },
      }),
    );
    const { ports, deletes } = azure(OWNER);
    const d = deps(store, audit, ports);
    await retryCleanupOf('R-DDDDDDDD', d);
    await retryCleanupOf('R-DDDDDDDD', d);
    expect(deletes).toEqual([`app:${APP_OBJECT_ID}`]);
    const after = (await store.get('R-DDDDDDDD'))!;
    expect(after.outcome?.retirement).toBeUndefined();
    expect(cleanupPending(after)).toBe(false);
    expect(after.outcome?.summary).toContain(sentence);
    expect(after.outcome?.summary).toContain('was deleted on a later try');
    expect((await cleanupEntries(audit, 'R-DDDDDDDD')).map(([outcome]) => outcome)).toEqual(['refused', 'deleted']);
  });
});

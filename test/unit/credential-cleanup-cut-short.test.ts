/**
 * A failed run's credential clean-up cut short between its DELETE and the audit entry saying what
 * it found (a kill, an audit append that fails): the retry finds nothing, and records `deleted`
 * (by the earlier attempt, whose `credential.cleanup.started` mark says it had begun deleting it),
 * not `absent` ("Graph did not create it", "Azure did not create it"). A credential never created
 * leaves no mark and is still recorded `absent`.
 */
import { CloudApiError, type RequestStore } from '../../src/domain/ports';
import type { AccessRequest } from '../../src/domain/request';
import { roleAssignmentName } from '../../src/domain/identifiers';
import {
  ABSENT_AFTER_MS,
  type CleanupDeps,
  DELETION_STARTED,
  retryCleanupOf,
} from '../../src/flows/credential-cleanup';
import type { SecretRunnerPorts } from '../../src/flows/secret-runner';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { recordedToken } from './support/cleanup-fixtures';
import { FakeClock, MINUTE } from './support/fake-clock';
import { pendingRequest, REGISTRY_ID, secretPlan, SUB } from './support/requests';

const APP_OBJECT_ID = '00000000-0000-4000-8000-0000000000a1';
const APP_ID = '00000000-0000-4000-8000-0000000000c1';
const SP_ID = '00000000-0000-4000-8000-0000000000b2';
const ACR_PULL = '7f951dda-4ed3-4680-a7ca-43fe172d538d';
const NAME = roleAssignmentName(REGISTRY_ID, SP_ID, ACR_PULL);
/** When the run failed (the requests' `updatedAt`): "not found" is decided ABSENT_AFTER_MS later. */
const FAILED_AT = '2025-01-15T09:00:00.000Z';

/** A failed run of `plan` whose clean-up of `refs` is pending. */
function failedRun(id: string, plan: AccessRequest['plan'], refs: unknown[], created: AccessRequest['created']) {
  return pendingRequest({
    id,
    state: 'failed',
    plan,
    created,
    outcome: { summary: 'Failed', azureRequestIds: [], cleanup: 'pending', credentialRef: JSON.stringify(refs) },
  });
}

/** A `--kind sp` run that failed after making its application and AcrPull assignment. */
const spRun = (id: string) =>
  failedRun(
    id,
    secretPlan({ credentialKind: 'sp' }),
    [
      {
        kind: 'sp',
        applicationId: APP_OBJECT_ID,
        appId: APP_ID,
        roleAssignment: { scope: REGISTRY_ID, name: NAME, subscriptionId: SUB },
      },
    ],
    [
      { kind: 'application', id: APP_OBJECT_ID, name: 'acrbot-app', recordedAt: FAILED_AT },
      { kind: 'servicePrincipal', id: SP_ID, name: APP_ID, recordedAt: FAILED_AT },
      {
        kind: 'roleAssignment',
        id: `${REGISTRY_ID}/providers/Microsoft.Authorization/roleAssignments/${NAME}`,
        name: NAME,
        recordedAt: FAILED_AT,
      },
    ] as AccessRequest['created'],
  );

/** A token run that failed after making its token. */
const tokenRun = (id: string) =>
  failedRun(
    id,
    secretPlan(),
    [
      {
        kind: 'token',
        subscriptionId: SUB,
        resourceGroup: 'rg-acr',
        registry: 'contosoacr',
        tokenName: `acrbot-${id.toLowerCase()}`,
      },
    ],
    [recordedToken(id, FAILED_AT)],
  );

const notFound = () => new CloudApiError('NotFound', 404, 'not found');

/**
 * Graph and ARM holding what the runs made until it is deleted: the application (with its
 * principal and AcrPull assignment) when `application`, and the token. Gone once deleted.
 */
function azure({ application = true, token = true } = {}) {
  const live = { application, assignment: application, token };
  const deletes: string[] = [];
  const ports = {
    servicePrincipals: {
      findServicePrincipal: async (appId: string) => (live.application && appId === APP_ID ? { id: SP_ID } : undefined),
      findApplication: async () => undefined,
      deleteApplication: async (id: string) => {
        if (!live.application || id !== APP_OBJECT_ID) throw notFound();
        live.application = false;
        deletes.push(`app:${id}`);
        return {};
      },
    },
    roleAssignments: {
      listForPrincipal: async () =>
        live.assignment
          ? [
              {
                id: `${REGISTRY_ID}/providers/Microsoft.Authorization/roleAssignments/${NAME}`,
                name: NAME,
                scope: REGISTRY_ID,
                principalId: SP_ID,
                roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${ACR_PULL}`,
              },
            ]
          : [],
      delete: async (input: { name: string }) => {
        live.assignment = false;
        deletes.push(`ra:${input.name}`);
        return {};
      },
    },
    tokens: {
      getToken: async (_r: unknown, name: string) =>
        live.token ? { id: name, provisioningState: 'Succeeded' } : undefined,
      deleteToken: async (_r: unknown, name: string) => {
        live.token = false;
        deletes.push(`token:${name}`);
        return {};
      },
      getScopeMap: async () => undefined,
      deleteScopeMap: async () => ({}),
    },
  } as unknown as SecretRunnerPorts;
  return { ports, deletes };
}

/** An audit log that, while `cut`, fails every clean-up's final entry: the run stops after its DELETE. */
class CutShortAudit extends MemoryAuditLog {
  cut = true;
  override async append(event: Parameters<MemoryAuditLog['append']>[0]) {
    if (this.cut && event.action === 'credential.cleanup' && event.outcome !== 'refused')
      throw new Error('killed before the entry was written');
    return super.append(event);
  }
}

function deps(store: RequestStore, audit: MemoryAuditLog, ports: SecretRunnerPorts, clock: FakeClock): CleanupDeps {
  return { store, audit, ports, clock, log: createLogger({ level: 'silent' }), reschedule: async () => undefined };
}

/** `[outcome, detail]` of the request's `credential.cleanup` entries, and how many marks it has. */
async function audited(audit: MemoryAuditLog, id: string) {
  const entries = await audit.forRequest(id);
  return {
    cleanup: entries.filter((e) => e.action === 'credential.cleanup').map((e) => [e.outcome, e.detail]),
    marks: entries.filter((e) => e.action === DELETION_STARTED).length,
  };
}

/**
 * Runs request `id`'s clean-up cut short after its DELETE, then again with a working audit log:
 * once soon after (not decided yet), and once past ABSENT_AFTER_MS.
 */
async function cutShortThenRetried(request: AccessRequest, ports: SecretRunnerPorts) {
  const store = new MemoryRequestStore();
  const clock = new FakeClock(FAILED_AT);
  const audit = new CutShortAudit(clock);
  await store.create(request);
  const d = deps(store, audit, ports, clock);
  clock.advance(MINUTE);
  await expect(retryCleanupOf(request.id, d)).rejects.toThrow('killed before the entry was written');
  audit.cut = false;
  clock.advance(MINUTE);
  await retryCleanupOf(request.id, d);
  expect((await store.get(request.id))?.outcome?.cleanup).toBe('pending');
  clock.set(new Date(Date.parse(FAILED_AT) + ABSENT_AFTER_MS + MINUTE));
  await retryCleanupOf(request.id, d);
  return { store, audit };
}

/** Request's clean-up run once past ABSENT_AFTER_MS with a working audit log: what it audited. */
async function neverCreated(request: AccessRequest, ports: SecretRunnerPorts) {
  const store = new MemoryRequestStore();
  const clock = new FakeClock(new Date(Date.parse(FAILED_AT) + ABSENT_AFTER_MS + MINUTE));
  const audit = new MemoryAuditLog(clock);
  await store.create(request);
  await retryCleanupOf(request.id, deps(store, audit, ports, clock));
  expect((await store.get(request.id))?.outcome?.cleanup).toBe('deleted');
  return audited(audit, request.id);
}

const CUT_SHORT =
  'retried after an earlier failure: deleted by an earlier attempt whose record was cut short (it had begun deleting it; not found since)';

describe('a failed run’s clean-up cut short after its DELETE', () => {
  test('--kind sp: the retry records the application deleted, not "Graph did not create it"', async () => {
    const { ports, deletes } = azure();
    const { store, audit } = await cutShortThenRetried(spRun('R-AAAAAAAA'), ports);
    expect(deletes).toEqual([`ra:${NAME}`, `app:${APP_OBJECT_ID}`]);
    expect((await store.get('R-AAAAAAAA'))?.outcome?.cleanup).toBe('deleted');
    expect(await audited(audit, 'R-AAAAAAAA')).toEqual({ cleanup: [['deleted', CUT_SHORT]], marks: 1 });
  });

  test('--kind token: the retry records the token deleted, not "Azure did not create it"', async () => {
    const { ports, deletes } = azure();
    const { store, audit } = await cutShortThenRetried(tokenRun('R-BBBBBBBB'), ports);
    expect(deletes).toEqual(['token:acrbot-r-bbbbbbbb']);
    expect((await store.get('R-BBBBBBBB'))?.outcome?.cleanup).toBe('deleted');
    expect(await audited(audit, 'R-BBBBBBBB')).toEqual({ cleanup: [['deleted', CUT_SHORT]], marks: 1 });
  });

  test('a later run after the entry was written only records the clean-up: nothing deleted or audited again', async () => {
    const { ports } = azure();
    const { store, audit } = await cutShortThenRetried(tokenRun('R-CCCCCCCC'), ports);
    const after = (await store.get('R-CCCCCCCC'))!;
    // The final write lost (the request as it was before it), the job runs again.
    await store.update({
      ...after,
      version: after.version + 1,
      state: 'failed',
      outcome: { ...after.outcome!, cleanup: 'pending' },
    });
    await retryCleanupOf('R-CCCCCCCC', deps(store, audit, ports, new FakeClock('2025-01-15T10:00:00.000Z')));
    expect((await store.get('R-CCCCCCCC'))?.outcome?.cleanup).toBe('deleted');
    expect(await audited(audit, 'R-CCCCCCCC')).toEqual({ cleanup: [['deleted', CUT_SHORT]], marks: 1 });
  });

  test('an application Graph never created (known by its recorded name only) leaves no mark: still "Graph did not create it"', async () => {
    const { ports, deletes } = azure({ application: false });
    const named = failedRun(
      'R-DDDDDDDD',
      secretPlan({ credentialKind: 'sp' }),
      [{ kind: 'sp', applicationId: '', appId: '', uniqueName: 'acrbot-app' }],
      [{ kind: 'application', id: '', name: 'acrbot-app', recordedAt: FAILED_AT }] as AccessRequest['created'],
    );
    expect(await neverCreated(named, ports)).toEqual({
      cleanup: [['absent', 'not found under its recorded name: Graph did not create it']],
      marks: 0,
    });
    expect(deletes).toEqual([]);
  });

  test('a token Azure never created leaves no mark: still "Azure did not create it"', async () => {
    const { ports, deletes } = azure({ token: false });
    expect(await neverCreated(tokenRun('R-EEEEEEEE'), ports)).toEqual({
      cleanup: [['absent', 'not found on the registry: Azure did not create it, or it was deleted already']],
      marks: 0,
    });
    expect(deletes).toEqual([]);
  });
});

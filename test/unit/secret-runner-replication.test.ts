/**
 * `--kind sp`: right after acrbot created the application, Graph may answer 404
 * `Request_ResourceNotFound` on its reads, `addPassword` and service principal creation
 * (replication): asked again at the runner's retry delays, bounded. A 404 about an application
 * acrbot did not just create is a real one: not asked again.
 */
import type { CreatedObject } from '../../src/domain/request';
import { CloudApiError } from '../../src/domain/ports';
import { SecretValue } from '../../src/domain/secret-value';
import { RunFailure } from '../../src/flows/executor';
import type { SecretRunnerPorts } from '../../src/flows/secret-runner';
import { runContext } from './support/run-context';
import { ACRBOT, APP_ID, clusterWriting, failureOf, OWN_SP_ID, SP_ID, spRequest, spRunner } from './support/sp-runner';

const notFound = () => new CloudApiError('Request_ResourceNotFound', 404, 'application read failed', 'graph-req-1');

/** Each port call fails with the errors of its list in turn, then succeeds. */
function fakePorts(
  created: boolean,
  failures: { createServicePrincipal?: Error[]; inspectApplication?: Error[]; addPassword?: Error[] },
  calls: string[],
  created_: () => CreatedObject[],
): SecretRunnerPorts {
  const next = (what: keyof typeof failures) => {
    calls.push(what);
    const err = failures[what]?.shift();
    if (err) throw err;
  };
  return {
    tokens: {},
    servicePrincipals: {
      upsertApplication: async () => ({ id: APP_ID, appId: 'app-id-1', created }),
      findServicePrincipal: async () => undefined,
      createServicePrincipal: async () => (next('createServicePrincipal'), { id: SP_ID }),
      ownServicePrincipalId: async () => OWN_SP_ID,
      inspectApplication: async () => (next('inspectApplication'), ACRBOT),
      addPassword: async (_id: string, _end: string, marker: string) => {
        // The marker is on record before every try.
        calls.push(`marker recorded: ${created_().some((o) => o.kind === 'applicationPassword' && o.name === marker)}`);
        calls.push(`marker ${marker}`);
        next('addPassword');
        return { keyId: 'key-1', secret: new SecretValue('pw-not-logged') };
      },
      deleteApplication: async (id: string) => {
        calls.push(`delete ${id}`);
        return {};
      },
      // Graph does not show the new application under its uniqueName either (replication).
      findApplication: async (uniqueName: string) => void calls.push(`find ${uniqueName}`),
    },
    roleAssignments: {
      create: async () => ({ id: 'ra', requestId: 'arm-1' }),
      delete: async () => ({}),
    },
    ...clusterWriting(),
  } as unknown as SecretRunnerPorts;
}

const context = runContext;

describe('a 404 about the application acrbot just created (replication)', () => {
  test('on service principal creation, the inspection and addPassword: asked again, the password added once under one marker', async () => {
    const calls: string[] = [];
    const slept: number[] = [];
    const { ctx, created } = context();
    const ports = fakePorts(
      true,
      {
        createServicePrincipal: [notFound()],
        inspectApplication: [notFound(), notFound()],
        addPassword: [notFound(), notFound()],
      },
      calls,
      created,
    );
    const outcome = await spRunner(ports, slept, [1, 2, 3]).run(spRequest(), ctx);
    expect(outcome.secret?.action).toBe('created');
    expect(slept).toEqual([1, 1, 2, 1, 2]);
    expect(calls.filter((c) => c === 'createServicePrincipal')).toHaveLength(2);
    expect(calls.filter((c) => c === 'inspectApplication')).toHaveLength(3);
    expect(calls.filter((c) => c === 'addPassword')).toHaveLength(3);
    expect(calls.filter((c) => c.startsWith('marker recorded'))).toEqual(Array(3).fill('marker recorded: true'));
    expect(new Set(calls.filter((c) => c.startsWith('marker acrbot')))).toHaveProperty('size', 1);
    // One password record, with its key id: the tries that answered 404 added nothing.
    expect(created().filter((o) => o.kind === 'applicationPassword')).toEqual([
      expect.objectContaining({ id: 'key-1' }),
    ]);
    expect(calls.some((c) => c.startsWith('delete'))).toBe(false);
  });

  test('still 404 after the retries: a clear failure, and the application looked up by its recorded uniqueName (a delete by id could be a replication 404 too), pending until Graph shows it', async () => {
    const calls: string[] = [];
    const slept: number[] = [];
    const { ctx, created } = context();
    const ports = fakePorts(true, { addPassword: [notFound(), notFound(), notFound(), notFound()] }, calls, created);
    const err = await failureOf(spRunner(ports, slept, [1, 2, 3]).run(spRequest(), ctx));
    expect(err).toBeInstanceOf(RunFailure);
    expect(err.outcome).toMatchObject({ errorCode: 'graph.applicationNotReplicated', cleanup: 'pending' });
    expect(err.outcome.error).toMatch(/after 4 tries \(addPassword; directory replication\)/);
    // Said to the requester: they ask again, and the new request is approved again.
    expect(err.outcome.error).toContain(
      'Nothing was granted; ask for it again in a few minutes (the new request needs approving again).',
    );
    expect(err.outcome.error).toMatch(
      /acrbot deletes the application once Graph shows it \(it looks again shortly\)\.$/,
    );
    expect(slept).toEqual([1, 2, 3]);
    const uniqueName = created().find((o) => o.kind === 'application')!.name!;
    expect(calls).toContain(`find ${uniqueName}`);
    expect(calls).not.toContain(`delete ${APP_ID}`);
    expect(JSON.parse(err.outcome.credentialRef!)).toEqual([{ kind: 'sp', applicationId: '', appId: '', uniqueName }]);
  });

  test('an application acrbot did not just create (a resumed run): its 404 is real, not asked again', async () => {
    const calls: string[] = [];
    const slept: number[] = [];
    const { ctx, created } = context([{ kind: 'application', id: APP_ID, name: 'acrbot-r-bbbbbbbb-0123456789abcdef' }]);
    const ports = fakePorts(false, { inspectApplication: [notFound()] }, calls, created);
    // Its service principal found too (one created in this run may still replicate:
    // secret-runner-sp-replication-reused.test.ts).
    ports.servicePrincipals.findServicePrincipal = async () => ({ id: SP_ID });
    const err = await failureOf(spRunner(ports, slept, [1, 2, 3]).run(spRequest(), ctx));
    expect(err.outcome).toMatchObject({ errorCode: 'Request_ResourceNotFound' });
    expect(slept).toEqual([]);
    expect(calls.filter((c) => c === 'inspectApplication')).toHaveLength(1);
    expect(calls.filter((c) => c === 'addPassword')).toHaveLength(0);
  });

  test('another refusal of a new application (403) is not asked again', async () => {
    const calls: string[] = [];
    const slept: number[] = [];
    const { ctx, created } = context();
    const denied = new CloudApiError('Authorization_RequestDenied', 403, 'addPassword failed');
    const ports = fakePorts(true, { addPassword: [denied] }, calls, created);
    const err = await failureOf(spRunner(ports, slept, [1, 2, 3]).run(spRequest(), ctx));
    expect(err.outcome).toMatchObject({ errorCode: 'Authorization_RequestDenied', cleanup: 'deleted' });
    expect(slept).toEqual([]);
    expect(calls.filter((c) => c === 'addPassword')).toHaveLength(1);
  });
});

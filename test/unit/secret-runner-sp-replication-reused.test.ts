/**
 * `--kind sp`, a resumed run that finds its earlier attempt's application again (reused) but not
 * its service principal, and creates that: the application read covers the service principal,
 * which Graph may not find for a few seconds after its create (replication). A 404 then is asked
 * again, as for an application created in the run; a service principal found, not created, whose
 * read answers 404 fails the run at once.
 */
import { CloudApiError } from '../../src/domain/ports';
import { SecretValue } from '../../src/domain/secret-value';
import type { SecretRunnerPorts } from '../../src/flows/secret-runner';
import { runContext } from './support/run-context';
import { ACRBOT, APP_ID, clusterWriting, failureOf, OWN_SP_ID, SP_ID, spRequest, spRunner } from './support/sp-runner';

const notFound = () => new CloudApiError('Request_ResourceNotFound', 404, 'service principal read', 'graph-req-1');
const EARLIER = [{ kind: 'application' as const, id: APP_ID, name: 'acrbot-r-bbbbbbbb-0123456789abcdef' }];

/** The reused application; the service principal found or created; the first reads answer `failures`. */
function fakePorts(spFound: boolean, failures: Error[], calls: string[]): SecretRunnerPorts {
  return {
    tokens: {},
    servicePrincipals: {
      upsertApplication: async () => ({ id: APP_ID, appId: 'app-id-1', created: false }),
      findServicePrincipal: async () => (spFound ? { id: SP_ID } : undefined),
      createServicePrincipal: async () => (calls.push('createServicePrincipal'), { id: SP_ID }),
      ownServicePrincipalId: async () => OWN_SP_ID,
      inspectApplication: async () => {
        calls.push('inspectApplication');
        const err = failures.shift();
        if (err) throw err;
        return ACRBOT;
      },
      addPassword: async () => ({ keyId: 'key-1', secret: new SecretValue('pw-not-logged') }),
      deleteApplication: async (id: string) => {
        calls.push(`delete ${id}`);
        return {};
      },
    },
    roleAssignments: {
      create: async () => ({ id: 'ra', requestId: 'arm-1' }),
      listForPrincipal: async () => [],
      delete: async () => ({}),
    },
    ...clusterWriting(),
  } as unknown as SecretRunnerPorts;
}

describe('a reused application whose service principal this run created', () => {
  test('a 404 on the read while it replicates: asked again, and the run goes on', async () => {
    const calls: string[] = [];
    const slept: number[] = [];
    const { ctx } = runContext(EARLIER);
    const outcome = await spRunner(fakePorts(false, [notFound(), notFound()], calls), slept, [1, 2, 3]).run(
      spRequest(),
      ctx,
    );
    expect(outcome.secret?.action).toBe('created');
    expect(calls).toEqual(['createServicePrincipal', 'inspectApplication', 'inspectApplication', 'inspectApplication']);
    expect(slept).toEqual([1, 2]);
  });

  test('never found: the failure names the service principal, not a just-created application', async () => {
    const calls: string[] = [];
    const { ctx } = runContext(EARLIER);
    const failures = [notFound(), notFound(), notFound()];
    const err = await failureOf(spRunner(fakePorts(false, failures, calls), [], [1, 2]).run(spRequest(), ctx));
    expect(err.outcome.errorCode).toBe('graph.applicationNotReplicated');
    expect(err.outcome.error).toContain(`the service principal acrbot had just created (${SP_ID})`);
  });

  test('a service principal found, not created: a 404 on the read fails the run at once', async () => {
    const calls: string[] = [];
    const slept: number[] = [];
    const { ctx } = runContext(EARLIER);
    const err = await failureOf(spRunner(fakePorts(true, [notFound()], calls), slept, [1, 2, 3]).run(spRequest(), ctx));
    expect(err.outcome.errorCode).toBe('Request_ResourceNotFound');
    expect(slept).toEqual([]);
  });
});

/**
 * The `--kind sp` secret run of the runner's unit tests: its ids, Graph's answer for an
 * application held by acrbot alone, the request, a runner with recorded (not real) sleeps, and
 * the failure of a run that must fail.
 */
import type { ApplicationHolders } from '../../../src/domain/secret-ownership';
import type { RunFailure } from '../../../src/flows/executor';
import { SecretRunner, type SecretRunnerPorts } from '../../../src/flows/secret-runner';
import { pendingRequest, secretPlan } from './requests';

export const APP_ID = '00000000-0000-4000-8000-0000000000a1';
export const SP_ID = '00000000-0000-4000-8000-0000000000b2';

/** acrbot's own service principal object id, as the fake ports' `ownServicePrincipalId` answers it. */
export const OWN_SP_ID = 'acrbot-sp';

/** An application whose only owner is acrbot, with no credential on it or on its service principal. */
export const ACRBOT: ApplicationHolders = {
  owners: [{ id: OWN_SP_ID, type: 'servicePrincipal' }],
  passwordKeyIds: [],
  certificateKeyIds: [],
  federatedCredentials: [],
  servicePrincipal: {
    id: SP_ID,
    owners: [{ id: OWN_SP_ID, type: 'servicePrincipal' }],
    passwordKeyIds: [],
    certificateKeyIds: [],
  },
};

/**
 * The ports of a run whose cluster side goes well: the secret's checks pass and its write creates
 * it; no earlier request is looked up. Spread into a test's fake ports.
 */
export const clusterWriting = () => ({
  kubernetes: {
    access: async () => ({ clusterName: 'aks-prod' }),
    precheck: async () => ({}),
    write: async () => ({ action: 'created', serviceAccountPatched: false, uid: 'uid-1' }),
  },
  requests: { get: async () => undefined },
});

/** An executing `--kind sp` request with pull rights. */
export const spRequest = () =>
  pendingRequest({
    id: 'R-BBBBBBBB',
    state: 'executing',
    plan: secretPlan({ credentialKind: 'sp', role: { id: 'role-guid', name: 'AcrPull' } }),
  });

/** A runner whose retry waits are only noted in `slept`; clusters have local accounts off. */
export function spRunner(ports: SecretRunnerPorts, slept: number[], delaysMs: number[]): SecretRunner {
  return new SecretRunner(
    ports,
    { delaysMs, sleep: async (ms: number) => void slept.push(ms) },
    {
      reader: { getCluster: async () => ({ localAccountsDisabled: true }) } as never,
      allowLocalAccountClusters: false,
    },
    // The day the fixtures' plans were made: their credential expiry lies ahead.
    () => new Date('2025-01-15T09:00:00.000Z'),
  );
}

/** The error of a run that must fail (the test fails if it succeeds). */
export async function failureOf(promise: Promise<unknown>): Promise<RunFailure> {
  return promise.then(
    () => {
      throw new Error('expected the run to fail');
    },
    (err: unknown) => err as RunFailure,
  );
}

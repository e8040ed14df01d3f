/**
 * `KubePullSecrets` and the service accounts it links a secret to, against the sandbox's
 * cluster: the revocation takes acrbot's entry out of the account object acrbot linked (its
 * recorded uid) and of no account made again under the name (G15); a link whose result nobody
 * could tell is recorded as such and still undone; a secret being deleted is neither reused nor
 * deleted again; and what the user reads after a throttled call or a conflicting patch.
 */
import { KubePullSecrets, REQUEST_ID_LABEL } from '../../src/integrations/kubernetes/kube-pull-secrets';
import type { KubeObject } from '../../src/sandbox/kubernetes';
import { useAksProd } from '../helpers/aks-prod-port';

const { emulator, port: aksProd } = useAksProd();
const NS = 'payments';

async function port() {
  // Short throttling waits: the emulator's Retry-After is 0 here anyway.
  const { kube, access } = await aksProd({ callTimeoutMs: 10_000, throttleWaitMs: 10 });
  return { kube, access };
}

function seedAccount(name: string, entries?: string[]): KubeObject {
  return emulator().seedObject('serviceaccounts', {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name, namespace: NS },
    ...(entries ? { imagePullSecrets: entries.map((e) => ({ name: e })) } : {}),
  } as KubeObject);
}

const entriesOf = (name: string) =>
  ((emulator().getObject('serviceaccounts', NS, name)?.imagePullSecrets ?? []) as { name: string }[]).map(
    (e) => e.name,
  );

function write(
  kube: KubePullSecrets,
  access: Awaited<ReturnType<typeof port>>['access'],
  secretName: string,
  serviceAccount?: string,
) {
  return kube.write(access, {
    namespace: NS,
    secretName,
    dockerConfigJson: JSON.stringify({ auths: { 'contosoacr.azurecr.io': { username: 'u', password: 'p' } } }),
    labels: { [REQUEST_ID_LABEL]: 'R-L1NKS000' },
    annotations: {},
    ...(serviceAccount ? { serviceAccount } : {}),
  });
}

const removal = (secretName: string, serviceAccounts: string[], extra: object = {}) => ({
  namespace: NS,
  secretName,
  serviceAccounts,
  requestId: 'R-L1NKS000',
  ...extra,
});

describe('revocation and a service account made again under the name', () => {
  test('the write answers the uid of the account it linked', async () => {
    const { kube, access } = await port();
    const account = seedAccount('sa-uid');
    const out = await write(kube, access, 'acr-uid', 'sa-uid');
    expect(out.serviceAccountPatched).toBe(true);
    expect(out.serviceAccountUid).toBe(account.metadata.uid);
  });

  test('made again (another uid) with its own entry of that name: left alone, said so', async () => {
    const { kube, access } = await port();
    seedAccount('sa-again');
    const out = await write(kube, access, 'acr-again', 'sa-again');
    emulator().deleteObject('serviceaccounts', NS, 'sa-again');
    seedAccount('sa-again', ['team', 'acr-again']);
    const result = await kube.remove(
      access,
      removal('acr-again', ['sa-again'], {
        writtenUid: out.uid,
        serviceAccountUids: { 'sa-again': out.serviceAccountUid },
      }),
    );
    expect(result.secret).toBe('deleted');
    expect(result.serviceAccountsNotOurs).toEqual(['sa-again']);
    expect(result.serviceAccountsPatched).toEqual([]);
    expect(entriesOf('sa-again')).toEqual(['team', 'acr-again']);
  });

  test('made again between the read and the patch: the uid test refuses, left alone', async () => {
    const { kube, access } = await port();
    seedAccount('sa-race');
    const out = await write(kube, access, 'acr-race', 'sa-race');
    emulator().faults.inject({
      verb: 'patch',
      resource: 'serviceaccounts',
      name: 'sa-race',
      meanwhile: () => {
        // Same list, same place: only the uid tells the two objects apart.
        const entries = entriesOf('sa-race');
        emulator().deleteObject('serviceaccounts', NS, 'sa-race');
        seedAccount('sa-race', entries);
      },
    });
    const result = await kube.remove(
      access,
      removal('acr-race', ['sa-race'], {
        writtenUid: out.uid,
        serviceAccountUids: { 'sa-race': out.serviceAccountUid },
      }),
    );
    expect(result.serviceAccountsNotOurs).toEqual(['sa-race']);
    expect(entriesOf('sa-race')).toEqual(['acr-race']);
  });

  test('the same account (its uid recorded): the entry goes, the others stay', async () => {
    const { kube, access } = await port();
    seedAccount('sa-same', ['team']);
    const out = await write(kube, access, 'acr-same', 'sa-same');
    const result = await kube.remove(
      access,
      removal('acr-same', ['sa-same'], {
        writtenUid: out.uid,
        serviceAccountUids: { 'sa-same': out.serviceAccountUid },
      }),
    );
    expect(result.serviceAccountsPatched).toEqual(['sa-same']);
    expect(result.serviceAccountsNotOurs).toBeUndefined();
    expect(entriesOf('sa-same')).toEqual(['team']);
  });

  test('recorded before uids were kept: by name, as before', async () => {
    const { kube, access } = await port();
    seedAccount('sa-old');
    const out = await write(kube, access, 'acr-old', 'sa-old');
    emulator().deleteObject('serviceaccounts', NS, 'sa-old');
    seedAccount('sa-old', ['team', 'acr-old']);
    const result = await kube.remove(access, removal('acr-old', ['sa-old'], { writtenUid: out.uid }));
    expect(result.serviceAccountsPatched).toEqual(['sa-old']);
    expect(entriesOf('sa-old')).toEqual(['team']);
  });
});

describe("the caller's lease check before a PATCH", () => {
  test('a throw stops the removal before its PATCH and is answered with the secret it deleted, its Audit-Id too', async () => {
    const { kube, access } = await port();
    seedAccount('sa-stop', ['team']);
    seedAccount('sa-stop2');
    const out = await write(kube, access, 'acr-stop', 'sa-stop');
    const lost = new Error('lease lost');
    const result = await kube.remove(
      access,
      removal('acr-stop', ['sa-stop', 'sa-stop2'], {
        writtenUid: out.uid,
        beforePatch: async () => {
          throw lost;
        },
      }),
    );
    expect(result).toMatchObject({ secret: 'deleted', serviceAccountsPatched: [], stopped: { cause: lost } });
    expect(result.requestId).toEqual(expect.any(String));
    expect(emulator().getObject('secrets', NS, 'acr-stop')).toBeUndefined();
    // No PATCH sent: the entry stays for the run that holds the work.
    expect(entriesOf('sa-stop')).toEqual(['team', 'acr-stop']);
  });
});

describe('a link whose result nobody could tell', () => {
  /** The patch lands but answers 500, and the read-back fails (503). */
  function landsUnanswered(account: string, secretName: string) {
    emulator().faults.inject({
      verb: 'patch',
      resource: 'serviceaccounts',
      name: account,
      status: 500,
      meanwhile: () => {
        const current = emulator().getObject('serviceaccounts', NS, account)!;
        emulator().seedObject('serviceaccounts', {
          ...current,
          imagePullSecrets: [...((current.imagePullSecrets ?? []) as object[]), { name: secretName }],
        } as KubeObject);
        emulator().faults.inject({ verb: 'get', resource: 'serviceaccounts', name: account, status: 503, times: 4 });
      },
    });
  }

  test('is answered as unknown, with the account uid and a sentence saying so', async () => {
    const { kube, access } = await port();
    const account = seedAccount('sa-unknown', ['team']);
    landsUnanswered('sa-unknown', 'acr-unknown');
    const out = await write(kube, access, 'acr-unknown', 'sa-unknown');
    expect(out.serviceAccountPatched).toBe(false);
    expect(out.serviceAccountLinkUnknown).toBe(true);
    expect(out.serviceAccountUid).toBe(account.metadata.uid);
    expect(out.serviceAccountFailure?.message).toMatch(/could not read the account back to tell whether it was added/);
    // Both failures reach the log line through the cause: the patch's and the read-back's.
    const cause = out.serviceAccountFailure?.cause as AggregateError;
    expect(cause).toBeInstanceOf(AggregateError);
    expect(cause.errors).toHaveLength(2);
    expect(cause.errors[1]).toBeDefined();
    expect(entriesOf('sa-unknown')).toEqual(['team', 'acr-unknown']);
  });

  test('a patch that did not land, read back: not added, as before', async () => {
    const { kube, access } = await port();
    seedAccount('sa-missed');
    emulator().faults.inject({ verb: 'patch', resource: 'serviceaccounts', name: 'sa-missed', status: 500 });
    const out = await write(kube, access, 'acr-missed', 'sa-missed');
    expect(out.serviceAccountPatched).toBe(false);
    expect(out.serviceAccountLinkUnknown).toBeUndefined();
    expect(out.serviceAccountFailure).toBeDefined();
  });
});

describe('a secret being deleted (held by a finalizer)', () => {
  /** `name` with a finalizer, deleted through the API: marked, not gone. */
  async function terminating(kube: KubePullSecrets, access: Awaited<ReturnType<typeof port>>['access'], name: string) {
    const out = await write(kube, access, name);
    const stored = emulator().getObject('secrets', NS, name)!;
    emulator().seedObject('secrets', {
      ...stored,
      metadata: { ...stored.metadata, finalizers: ['example.com/hold'] },
    } as KubeObject);
    await kube.remove(access, removal(name, [], { writtenUid: out.uid }));
    expect(emulator().getObject('secrets', NS, name)?.metadata.deletionTimestamp).toBeDefined();
    return out;
  }

  test('the check refuses it before anything is written', async () => {
    const { kube, access } = await port();
    await terminating(kube, access, 'acr-going');
    const err = await kube.precheck(access, { namespace: NS, secretName: 'acr-going' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'kubernetes.secretTerminating' });
    expect((err as Error).message).toBe(
      'Secret payments/acr-going in cluster aks-prod is being deleted (finalizers example.com/hold); nothing was written. Try again when it is gone (a new request may also choose another --name).',
    );
  });

  test('its revocation counts it as deleted and sends no second delete', async () => {
    const { kube, access } = await port();
    seedAccount('sa-going');
    const out = await write(kube, access, 'acr-going2', 'sa-going');
    const stored = emulator().getObject('secrets', NS, 'acr-going2')!;
    emulator().seedObject('secrets', {
      ...stored,
      metadata: { ...stored.metadata, finalizers: ['example.com/hold'], deletionTimestamp: '2026-01-01T00:00:00Z' },
    } as KubeObject);
    emulator().clearRequests();
    const result = await kube.remove(
      access,
      removal('acr-going2', ['sa-going'], {
        writtenUid: out.uid,
        serviceAccountUids: { 'sa-going': out.serviceAccountUid },
      }),
    );
    expect(result.secret).toBe('deleted');
    expect(result.serviceAccountsPatched).toEqual(['sa-going']);
    expect(emulator().requests.filter((r) => r.method === 'DELETE')).toEqual([]);
  });
});

describe('what the user reads', () => {
  test('throttled past the retries: the cluster is busy, try again later', async () => {
    const { kube, access } = await port();
    emulator().faults.inject({ verb: 'create', resource: 'secrets', status: 429, retryAfterSeconds: 0, times: 10 });
    const err = await write(kube, access, 'acr-throttled').catch((e: unknown) => e);
    expect((err as Error).message).toBe(
      "Cluster aks-prod is throttling requests (429) and refused acrbot's create of secrets in namespace payments; nothing was left behind; this passes once it is less busy, usually within a few minutes.",
    );
  });

  test('a 409 on the service account patch: the secret is written, no new request is asked for', async () => {
    const { kube, access } = await port();
    seedAccount('sa-conflict');
    emulator().faults.inject({ verb: 'patch', resource: 'serviceaccounts', name: 'sa-conflict', status: 409 });
    const out = await write(kube, access, 'acr-conflict', 'sa-conflict');
    expect(out.serviceAccountPatched).toBe(false);
    expect(out.serviceAccountFailure?.message).toBe(
      'Service account sa-conflict in namespace payments of cluster aks-prod was being changed by someone else when acrbot added acr-conflict to its imagePullSecrets (409 Conflict); the entry was not added.',
    );
  });
});

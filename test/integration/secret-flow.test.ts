/**
 * The secret flow end to end: ACR token or service principal created through the real SDKs
 * against the emulated ARM and Graph, the pull secret written with @kubernetes/client-node into
 * the emulated Kubernetes API server, and the password nowhere else.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { formatUtc } from '../../src/domain/access-term';
import { ROLE_IDS } from '../../src/domain/roles';
import { applicationDisplayNameFor } from '../../src/domain/secret-credential';
import {
  SANDBOX_BOT_OBJECT_ID,
  SANDBOX_CLUSTERS,
  SANDBOX_REGISTRIES,
  sandboxResourceId,
} from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import { TempDirs } from '../helpers/temp-dirs';

const run = promisify(execFile);
const contosoId = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);

interface DockerConfig {
  auths: Record<string, { username: string; password: string; auth: string; email?: string }>;
}

describe('secret flow', () => {
  let h: Harness;
  const tempDirs = new TempDirs();
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    try {
      await h.stop();
    } finally {
      tempDirs.removeAll();
    }
  });

  const k8s = (cluster: string) => h.app.sandbox!.kubernetes[cluster];

  const requestSecret = (args: string) => h.requestSecret(users.requester, args);

  async function approve(id: string) {
    await h.click(users.approver, 'approve', { requestId: id });
    return h.settle(id);
  }

  function dockerConfigOf(cluster: string, namespace: string, name: string): DockerConfig {
    const secret = k8s(cluster).getObject('secrets', namespace, name) as unknown as {
      type: string;
      data: Record<string, string>;
    };
    expect(secret.type).toBe('kubernetes.io/dockerconfigjson');
    return JSON.parse(Buffer.from(secret.data['.dockerconfigjson'], 'base64').toString('utf8')) as DockerConfig;
  }

  /** Everything that left the bot or was stored, as one string, for sentinel scans. */
  async function everything(): Promise<string> {
    const requests = await h.app.store.listByState(
      ['pending', 'approved', 'executing', 'succeeded', 'failed', 'rejected', 'expired'],
      1000,
    );
    return (
      JSON.stringify(h.connector.calls) +
      h.logs.lines.join('') +
      JSON.stringify(await h.app.audit.latest(500)) +
      JSON.stringify(requests)
    );
  }

  test('token kind: ACR token on _repositories_pull, secret exactly as kubectl builds it, labels, outcome with imagePullSecrets; the password appears nowhere else', async () => {
    const request = await requestSecret('aks-dev contosoacr --namespace payments pull for payments-api');
    const plan = request.plan as Extract<typeof request.plan, { kind: 'secret' }>;
    expect(plan).toMatchObject({
      credentialKind: 'token',
      namespace: 'payments',
      secretName: 'acr-auth',
      repositories: [],
    });
    // The credential outlives the access term (30 days by default) plus the approval window (G17).
    expect(request.access).toEqual({ durationMs: 30 * 86_400_000 });
    expect(Date.parse(plan.expiresAt) - Date.now()).toBeGreaterThan(30 * 86_400_000);
    const planCard = h.connector.calls.find((c) => c.op !== 'update' && cardText(c.activity).includes(request.id))!;
    expect(cardText(planCard.activity)).toContain(`ACR token acrbot-${request.id.toLowerCase()}`);
    expect(cardText(planCard.activity)).not.toMatch(/<[a-z ]+>/);
    const done = await approve(request.id);
    expect(done.state).toBe('succeeded');
    // The outcome says why the credential's own expiry is later than the access's end.
    expect(done.outcome?.summary).toContain(
      `acrbot deletes it when the access ends (it would lapse by itself at ${formatUtc(plan.expiresAt)})`,
    );

    const config = dockerConfigOf('aks-dev', 'payments', 'acr-auth');
    expect(Object.keys(config.auths)).toEqual(['contosoacr.azurecr.io']);
    const entry = config.auths['contosoacr.azurecr.io'];
    expect(Object.keys(entry)).toEqual(['username', 'password', 'auth']);
    expect(entry.username).toBe(`acrbot-${request.id.toLowerCase()}`);
    expect(entry.auth).toBe(Buffer.from(`${entry.username}:${entry.password}`).toString('base64'));
    expect(h.app.sandbox!.arm.state.verifyTokenPassword(contosoId, entry.username, entry.password)).toBe(true);
    const [token] = h.app.sandbox!.arm.state.listTokens(contosoId);
    expect(token.scopeMapId.toLowerCase()).toBe(`${contosoId}/scopeMaps/_repositories_pull`.toLowerCase());

    const secret = k8s('aks-dev').getObject('secrets', 'payments', 'acr-auth') as unknown as {
      metadata: { labels: Record<string, string>; annotations: Record<string, string> };
    };
    expect(secret.metadata.labels['app.kubernetes.io/managed-by']).toBe('acrbot');
    expect(secret.metadata.annotations['acrbot.io/request-id']).toBe(request.id);
    expect(secret.metadata.annotations['acrbot.io/expires-at']).toBe(plan.expiresAt);

    const outcome = await h.connector.waitFor(
      (c) => /Pull secret created/.test(cardText(c.activity)),
      5000,
      'outcome card',
    );
    const text = cardText(outcome.activity);
    expect(text).toContain('imagePullSecrets:');
    expect(text).toContain('- name: acr-auth');
    expect(text).toContain('image: contosoacr.azurecr.io/');
    // The token by its name and registry: its ARM resource path is for machines, not the card.
    expect(text).toContain(`with ACR token ${token.name} on registry contosoacr`);
    expect(text).not.toContain(token.id);

    const all = await everything();
    expect(all).not.toContain(entry.password);
    expect(all).not.toContain(entry.auth);
  });

  test('a credential capped below the access term: the outcome says it lapses first, not that acrbot deletes it at the end', async () => {
    await h.stop();
    h = await startHarness({ ACRBOT_SECRET_MAX_EXPIRY: '7d' });
    const request = await requestSecret('aks-dev contosoacr --namespace payments --for 30d pull for payments-api');
    const plan = request.plan as Extract<typeof request.plan, { kind: 'secret' }>;
    const done = await approve(request.id);
    expect(done.state).toBe('succeeded');
    expect(done.outcome?.summary).toContain(
      `valid until ${formatUtc(plan.expiresAt)}, before the access would end: pulls with it stop then`,
    );
    expect(done.outcome?.summary).not.toContain('acrbot deletes it when the access ends');
  });

  test('the decoded .dockerconfigjson equals kubectl create secret docker-registry output for the same inputs', async () => {
    const request = await requestSecret('aks-dev contosoacr pull for the default namespace');
    await approve(request.id);
    const config = dockerConfigOf('aks-dev', 'default', 'acr-auth');
    const { username, password } = config.auths['contosoacr.azurecr.io'];
    const kubectl = process.env.KUBECTL ?? 'kubectl';
    const available = await run(kubectl, ['version', '--client'], { timeout: 10_000 }).then(
      () => true,
      () => false,
    );
    let expected: string;
    if (available) {
      const { stdout } = await run(
        kubectl,
        [
          'create',
          'secret',
          'docker-registry',
          'acr-auth',
          '--docker-server',
          'contosoacr.azurecr.io',
          '--docker-username',
          username,
          '--docker-password',
          password,
          '--dry-run=client',
          '-o',
          'json',
        ],
        { timeout: 20_000 },
      );
      expected = Buffer.from(JSON.parse(stdout).data['.dockerconfigjson'], 'base64').toString('utf8');
    } else {
      // kubectl's Go struct order (username, password, email, auth), every field omitempty.
      expected = JSON.stringify({
        auths: {
          'contosoacr.azurecr.io': {
            username,
            password,
            auth: Buffer.from(`${username}:${password}`).toString('base64'),
          },
        },
      });
    }
    const secret = k8s('aks-dev').getObject('secrets', 'default', 'acr-auth') as unknown as {
      data: Record<string, string>;
    };
    expect(Buffer.from(secret.data['.dockerconfigjson'], 'base64').toString('utf8')).toBe(expected);
    if (available) {
      // kubectl itself reads what the bot wrote.
      const dir = tempDirs.make('acrbot-kubectl-');
      const kubeconfig = join(dir, 'config');
      writeFileSync(kubeconfig, k8s('aks-dev').kubeconfig({ token: 'sandbox-kube-token-aks-dev' }));
      const { stdout } = await run(
        kubectl,
        ['--kubeconfig', kubeconfig, 'get', 'secret', 'acr-auth', '-n', 'default', '-o', 'json'],
        { timeout: 20_000 },
      );
      const read = JSON.parse(stdout);
      expect(read.type).toBe('kubernetes.io/dockerconfigjson');
      expect(read.metadata.labels['app.kubernetes.io/managed-by']).toBe('acrbot');
      expect(Buffer.from(read.data['.dockerconfigjson'], 'base64').toString('utf8')).toBe(expected);
    }
  });

  test('Entra-enabled cluster: the bot uses its own token (no kubelogin) and --repositories makes a limited scope map', async () => {
    const request = await requestSecret(
      'aks-prod contosoacr --namespace payments --repositories payments/api,payments/worker pull two repos',
    );
    expect((await approve(request.id)).state).toBe('succeeded');
    const users = new Set(k8s('aks-prod').requests.map((r: { user?: string }) => r.user));
    expect(users.has('clusterUser')).toBe(false);
    const [token] = h.app.sandbox!.arm.state.listTokens(contosoId);
    expect(token.scopeMapId).toMatch(/scopeMaps\/acrbot-r-/);
  });

  test('sp kind: application + service principal + password, role assignment to the SP object id, username = appId', async () => {
    h.app.sandbox!.directory.replicationDelay = 2;
    const request = await requestSecret(
      'aks-dev contosoacr --kind sp --namespace payments --name acr-sp service principal pull',
    );
    expect((await approve(request.id)).state).toBe('succeeded');
    const entry = dockerConfigOf('aks-dev', 'payments', 'acr-sp').auths['contosoacr.azurecr.io'];
    const sp = h.app.sandbox!.directory.getServicePrincipalByAppId(entry.username)!;
    expect(sp).toBeDefined();
    expect(h.app.sandbox!.directory.verifyApplicationSecret(entry.username, entry.password)).toBe(true);
    const assignments = h.app
      .sandbox!.arm.state.listRoleAssignments()
      .filter((a: { principalId: string }) => a.principalId === sp.id);
    expect(assignments).toHaveLength(1);
    expect(assignments[0].principalType).toBe('ServicePrincipal');
    expect(assignments[0].roleDefinitionId.endsWith(ROLE_IDS.acrPull)).toBe(true);
    expect(
      h.app.sandbox!.graph.requests.filter((r: { operation: string }) => r.operation === 'servicePrincipals.create')
        .length,
    ).toBe(3);
    expect(await everything()).not.toContain(entry.password);
  });

  /** acrbot's applications in the emulated directory. */
  const acrbotApplications = () =>
    [...h.app.sandbox!.directory.applications.values()].filter((a: { displayName: string }) =>
      a.displayName.startsWith('acrbot-pull'),
    );

  test('sp kind: Graph does not find the new application on its first reads nor on addPassword (replication, 404) → asked again; one application, one password', async () => {
    const graph = h.app.sandbox!.graph;
    // Reads of the new application and its owners answer 404 Request_ResourceNotFound three times,
    // then the first addPassword does too (the fault answers before the call is applied: nothing added).
    h.app.sandbox!.directory.readReplicationDelay = 3;
    graph.faults.add({
      operation: 'applications.addPassword',
      status: 404,
      code: 'Request_ResourceNotFound',
      message: "Resource 'x' does not exist or one of its queried reference-property objects are not present.",
    });
    const request = await requestSecret(
      'aks-dev contosoacr --kind sp --namespace payments --name acr-sp replicating application',
    );
    const done = await approve(request.id);
    expect(done.outcome?.error).toBeUndefined();
    expect(done.state).toBe('succeeded');
    const entry = dockerConfigOf('aks-dev', 'payments', 'acr-sp').auths['contosoacr.azurecr.io'];
    const apps = acrbotApplications();
    expect(apps).toHaveLength(1);
    expect(apps[0].appId).toBe(entry.username);
    expect(apps[0].passwords).toHaveLength(1);
    expect(h.app.sandbox!.directory.verifyApplicationSecret(entry.username, entry.password)).toBe(true);
    const statuses = (op: string) => graph.requests.filter((r) => r.operation === op).map((r) => r.status);
    expect(statuses('applications.get').filter((s) => s === 404).length).toBeGreaterThan(0);
    expect(statuses('applications.addPassword')).toEqual([404, 200]);
    // Both tries carried the marker recorded before the first one; only one password record has a key id.
    const passwords = (await h.app.store.get(request.id))!.created!.filter((o) => o.kind === 'applicationPassword');
    expect(passwords).toEqual([expect.objectContaining({ id: apps[0].passwords[0].keyId })]);
    expect(passwords[0].name).toBe(apps[0].passwords[0].displayName);
  });

  test('sp kind: the new application never becomes readable within the retries → a clear failure, and the application is deleted again', async () => {
    const directory = h.app.sandbox!.directory;
    directory.readReplicationDelay = 1000;
    const request = await requestSecret(
      'aks-dev contosoacr --kind sp --namespace payments --name acr-sp never replicating',
    );
    const done = await approve(request.id);
    directory.readReplicationDelay = 0;
    expect(done.state).toBe('failed');
    expect(done.outcome?.errorCode).toBe('graph.applicationNotReplicated');
    expect(done.outcome?.error).toMatch(
      /Microsoft Graph still did not find the Entra application acrbot had just created/,
    );
    // A delete by id could be Graph's replication 404 too (no proof it is gone): the clean-up
    // looks the application up by its recorded uniqueName, again once Graph shows it.
    expect(done.outcome?.error).toMatch(/acrbot deletes the application once Graph shows it/);
    expect(done.outcome?.cleanup).toBe('pending');
    expect(acrbotApplications()).toHaveLength(1);
    // Graph shows it at last; the clean-up job finds it by name and deletes it.
    for (const app of acrbotApplications() as Array<{ unreadableCalls: number }>) app.unreadableCalls = 0;
    expect(await runCleanupJob(request.id)).toBe(true);
    expect(acrbotApplications()).toHaveLength(0);
    expect((await h.app.store.get(request.id))?.outcome?.cleanup).toBe('deleted');
    const ops = h.app.sandbox!.graph.requests.map((r) => r.operation);
    expect(ops).not.toContain('applications.addPassword');
    // Bounded: the first read and one more per retry delay of the harness (five), and the
    // deletion's read of the application's appId (to find its service principal for the purge).
    expect(h.app.sandbox!.graph.requests.filter((r) => r.operation === 'applications.get')).toHaveLength(7);
    expect(h.app.sandbox!.arm.state.listRoleAssignments(contosoId)).toHaveLength(0);
    expect(k8s('aks-dev').getObject('secrets', 'payments', 'acr-sp')).toBeUndefined();
    const explained = h.logs.lines.filter((l) => l.includes('graph.applicationNotReplicated'));
    expect(explained).toHaveLength(1);
  });

  test('G15: a pre-created application with the planned display name is not adopted (created by uniqueName upsert instead)', async () => {
    const request = await requestSecret(
      'aks-dev contosoacr --kind sp --namespace payments --name acr-sp service principal pull',
    );
    const plan = request.plan as Extract<typeof request.plan, { kind: 'secret' }>;
    const planned = applicationDisplayNameFor(plan.credentialName, request.id);
    const planCard = h.connector.calls.find((c) => c.op !== 'update' && cardText(c.activity).includes(request.id))!;
    expect(cardText(planCard.activity)).toContain(planned);
    // Before approval, the requester creates an application with that name, makes acrbot an owner
    // and keeps a password of their own.
    const directory = h.app.sandbox!.directory;
    const planted = directory.addApplication({
      displayName: planned,
      ownerIds: [SANDBOX_BOT_OBJECT_ID, users.requester.objectId],
    });
    directory.addPassword(planted, { displayName: 'mine', endDateTime: '2099-01-01T00:00:00Z' });
    const done = await approve(request.id);
    expect(done.state).toBe('succeeded');
    const entry = dockerConfigOf('aks-dev', 'payments', 'acr-sp').auths['contosoacr.azurecr.io'];
    expect(entry.username).not.toBe(planted.appId);
    expect(directory.getServicePrincipalByAppId(planted.appId)).toBeUndefined();
    const mine = directory.getApplicationByAppId(entry.username)!;
    expect(mine.uniqueName).toMatch(new RegExp(`^acrbot-${request.id.toLowerCase()}-[0-9a-f]{16}$`));
    expect([...mine.ownerIds]).toEqual([SANDBOX_BOT_OBJECT_ID.toLowerCase()]);
    const ops = h.app.sandbox!.graph.requests.map((r: { operation: string }) => r.operation);
    expect(ops).toContain('applications.upsert');
    expect(ops).not.toContain('applications.list');
    expect(ops).not.toContain('applications.create');
    // The store recorded the uniqueName and the object id, and only those are acted on later.
    const stored = (await h.app.store.get(request.id))!;
    expect(stored.created).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'application', id: mine.id, name: mine.uniqueName })]),
    );
  });

  test('an existing acrbot secret is replaced and its old token deleted; a foreign secret is refused before any credential exists', async () => {
    const first = await requestSecret('aks-dev contosoacr --namespace payments first pull secret');
    await approve(first.id);
    const second = await requestSecret('aks-dev contosoacr --namespace payments rotate the pull secret');
    const planCard = h.connector.calls.find((c) => c.op !== 'update' && cardText(c.activity).includes(second.id))!;
    expect(cardText(planCard.activity)).toContain(
      `Replaces secret \`payments/acr-auth\` from request ${first.id} (by ${first.requester.name}, created ${first.createdAt.slice(0, 10)}, expires ${(first.plan as { expiresAt: string }).expiresAt.slice(0, 10)})`,
    );
    const done = await approve(second.id);
    expect(done.state).toBe('succeeded');
    expect(done.outcome?.secret?.action).toBe('replaced');
    expect(h.app.sandbox!.arm.state.listTokens(contosoId).map((t: { name: string }) => t.name)).toEqual([
      `acrbot-${second.id.toLowerCase()}`,
    ]);

    k8s('aks-dev').seedObject('secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'team-secret', namespace: 'payments' },
      type: 'Opaque',
      data: { a: 'Yg==' },
    });
    const foreign = await requestSecret('aks-dev contosoacr --namespace payments --name team-secret overwrite attempt');
    const failed = await approve(foreign.id);
    expect(failed.state).toBe('failed');
    expect(failed.outcome?.error).toMatch(/acrbot has no record of making it/);
    expect(h.app.sandbox!.arm.state.listTokens(contosoId)).toHaveLength(1);
    expect((k8s('aks-dev').getObject('secrets', 'payments', 'team-secret') as unknown as { type: string }).type).toBe(
      'Opaque',
    );
  });

  test('G15: a planted secret naming another grant (issue #11 repro) is refused before any credential exists; nothing is deleted', async () => {
    // aks-prod gets pull access on contosoacr through an ordinary acrbot grant.
    const grant = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api to prod');
    await h.click(users.approver, 'approve', { requestId: grant.id });
    expect((await h.settle(grant.id)).state).toBe('succeeded');
    const [assignment] = h.app.sandbox!.arm.state.listRoleAssignments(contosoId);
    expect(assignment).toBeDefined();
    const assignmentName = assignment.id.split('/').pop()!;

    // Someone who can write secrets in aks-dev/payments plants one that looks like acrbot's and
    // names aks-prod's assignment as "its" credential (label naming a real request, too).
    k8s('aks-dev').seedObject('secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'acr-auth',
        namespace: 'payments',
        labels: { 'app.kubernetes.io/managed-by': 'acrbot', 'acrbot.io/request-id': grant.id },
        annotations: {
          'acrbot.io/request-id': grant.id,
          'acrbot.io/credential': JSON.stringify({
            kind: 'sp',
            applicationId: '00000000-0000-0000-0000-000000000001',
            appId: '00000000-0000-0000-0000-000000000002',
            roleAssignment: { scope: contosoId, name: assignmentName, subscriptionId: assignment.id.split('/')[2] },
          }),
        },
      },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': Buffer.from('{"auths":{}}').toString('base64') },
    });
    const request = await requestSecret('aks-dev contosoacr --namespace payments ordinary pull secret');
    const done = await approve(request.id);
    expect(done.state).toBe('failed');
    expect(done.outcome?.errorCode).toBe('kubernetes.foreignSecret');
    expect(done.outcome?.error).toContain(`its label names request ${grant.id}, which was not a pull secret`);
    expect(done.outcome?.error).toMatch(/someone else's secret/);
    // aks-prod keeps its pull access; no credential was created or deleted.
    expect(h.app.sandbox!.arm.state.listRoleAssignments(contosoId).map((a: { id: string }) => a.id)).toEqual([
      assignment.id,
    ]);
    expect(h.app.sandbox!.arm.state.listTokens(contosoId)).toHaveLength(0);
    const actions = (await h.app.audit.forRequest(request.id)).map((e) => e.action);
    expect(actions).not.toContain('credential.cleanup');
    expect(actions).not.toContain('azure.write.token');
    expect(JSON.stringify(await h.app.audit.forRequest(request.id))).not.toContain(assignmentName);
  });

  test('G15: a secret labelled with an acrbot request for another registry, or an unknown request, is refused', async () => {
    const other = await requestSecret('aks-dev contosoabac --namespace payments pull from the other registry');
    expect((await approve(other.id)).state).toBe('succeeded');
    const request = await requestSecret('aks-dev contosoacr --namespace payments same secret other registry');
    expect(request.plan.operations.join('\n')).not.toMatch(/Replaces secret/);
    const done = await approve(request.id);
    expect(done.state).toBe('failed');
    expect(done.outcome?.error).toContain(
      `its label names request ${other.id}, which acrbot made for payments/acr-auth`,
    );
    expect(done.outcome?.error).toContain('from registry contosoabac');
    expect(h.app.sandbox!.arm.state.listTokens(contosoId)).toHaveLength(0);

    k8s('aks-dev').seedObject('secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'acr-forged',
        namespace: 'payments',
        labels: { 'app.kubernetes.io/managed-by': 'acrbot', 'acrbot.io/request-id': 'R-ZZZZZZZZ' },
      },
      type: 'Opaque',
      data: { a: 'Yg==' },
    });
    const forged = await approve(
      (await requestSecret('aks-dev contosoacr --namespace payments --name acr-forged forged label')).id,
    );
    expect(forged.state).toBe('failed');
    expect(forged.outcome?.error).toContain('its label names request R-ZZZZZZZZ, which acrbot has no record of');
    expect(h.app.sandbox!.arm.state.listTokens(contosoId)).toHaveLength(0);
  });

  test('G15: a secret planted with the label of the very request being approved is refused (the request never started writing it)', async () => {
    // Request ids are shown on cards: someone who can write in the namespace can copy one.
    const request = await requestSecret('aks-dev contosoacr --namespace payments --name acr-copied copied label');
    k8s('aks-dev').seedObject('secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'acr-copied',
        namespace: 'payments',
        labels: { 'app.kubernetes.io/managed-by': 'acrbot', 'acrbot.io/request-id': request.id },
      },
      type: 'Opaque',
      data: { a: 'Yg==' },
    });
    const done = await approve(request.id);
    expect(done.state).toBe('failed');
    expect(done.outcome?.errorCode).toBe('kubernetes.foreignSecret');
    expect(done.outcome?.error).toContain(`its label names this request (${request.id}), which has not written it`);
    expect(k8s('aks-dev').getObject('secrets', 'payments', 'acr-copied')).toMatchObject({ type: 'Opaque' });
    expect(h.app.sandbox!.arm.state.listTokens(contosoId)).toHaveLength(0);
  });

  test('G15: a pre-existing ACR token or scope map with the planned name is not adopted, overwritten or deleted', async () => {
    const registry = h.app.sandbox!.arm.state.getRegistry(contosoId)!;
    const armWrites = () =>
      h.app.sandbox!.arm.requests.filter(
        (r: { method: string; path: string }) => r.method !== 'GET' && /\/(tokens|scopeMaps)\//i.test(r.path),
      ).length;
    // Someone with token rights saw the request id on the plan card and created acrbot's token
    // name first, bound to the push scope map, with a password of their own.
    const request = await requestSecret('aks-prod contosoacr --namespace payments pull for payments-api');
    const tokenName = `acrbot-${request.id.toLowerCase()}`;
    const planted = {
      id: `${contosoId}/tokens/${tokenName}`,
      name: tokenName,
      scopeMapId: `${contosoId}/scopeMaps/_repositories_push`,
      status: 'enabled' as const,
      creationDate: new Date().toISOString(),
      passwords: [],
    };
    registry.tokens.set(tokenName, planted);
    const writesBefore = armWrites();
    const done = await approve(request.id);
    expect(done.state).toBe('failed');
    expect(done.outcome?.error).toContain(`An ACR token ${tokenName} already exists on registry contosoacr`);
    expect(done.outcome?.error).toContain('will not take it over or delete it');
    expect(done.outcome?.cleanup ?? 'none').toBe('none');
    // Not re-bound, not deleted, no password generated on it, no other token made.
    expect(h.app.sandbox!.arm.state.listTokens(contosoId)).toEqual([planted]);
    expect(planted.scopeMapId).toMatch(/_repositories_push$/);
    expect(armWrites()).toBe(writesBefore);
    expect(done.created ?? []).toEqual([]);
    const refusal = (await h.app.audit.forRequest(request.id)).find((e) => e.outcome === 'refused');
    expect(refusal?.targetIds).toEqual([planted.id]);

    // The same for the scope map of --repositories: its actions are not replaced.
    const limited = await requestSecret(
      'aks-prod contosoacr --namespace payments --name acr-limited --repositories payments/api limited to the api',
    );
    const mapName = `acrbot-${limited.id.toLowerCase()}`;
    const map = {
      id: `${contosoId}/scopeMaps/${mapName}`,
      name: mapName,
      description: 'not acrbot',
      system: false,
      actions: ['repositories/payments/api/content/write'],
      creationDate: new Date().toISOString(),
    };
    registry.scopeMaps.set(mapName, map);
    const failed = await approve(limited.id);
    expect(failed.state).toBe('failed');
    expect(failed.outcome?.error).toContain(`An ACR scope map ${mapName} already exists`);
    expect(registry.scopeMaps.get(mapName)).toEqual(map);
    expect(h.app.sandbox!.arm.state.listTokens(contosoId)).toEqual([planted]);
    expect(armWrites()).toBe(writesBefore);
  });

  test('namespace missing → a clear error and no credential', async () => {
    const request = await requestSecret('aks-dev contosoacr --namespace nope pull into a missing namespace');
    const done = await approve(request.id);
    expect(done.state).toBe('failed');
    expect(done.outcome?.error).toMatch(/Namespace nope does not exist/);
    expect(h.app.sandbox!.arm.state.listTokens(contosoId)).toHaveLength(0);
  });

  test('a namespace being deleted (Terminating) → said before any credential exists; one that starts terminating just before the create is named too, not taken for a missing right', async () => {
    const cluster = k8s('aks-dev');
    expect(cluster.terminateNamespace('payments')).toBe(true);
    const early = await approve(
      (await requestSecret('aks-dev contosoacr --namespace payments into a dying namespace')).id,
    );
    expect(early.state).toBe('failed');
    expect(early.outcome?.errorCode).toBe('kubernetes.namespaceTerminating');
    expect(early.outcome?.error).toMatch(/^Namespace payments of cluster aks-dev is being deleted \(Terminating\)/);
    expect(h.app.sandbox!.arm.state.listTokens(contosoId)).toHaveLength(0);
    // No credential was made for it, and no write reached the cluster.
    expect((await h.app.audit.forRequest(early.id)).map((e) => e.action)).not.toContain('azure.write.token');
    expect(cluster.requests.filter((r) => r.method === 'POST')).toEqual([]);
    // Between the check and the create: the API server's 403 (NamespaceLifecycle) is explained as such.
    cluster.createNamespace('team-b');
    cluster.faults.inject({
      verb: 'create',
      resource: 'secrets',
      meanwhile: () => cluster.terminateNamespace('team-b'),
    });
    const late = await approve((await requestSecret('aks-dev contosoacr --namespace team-b terminated meanwhile')).id);
    expect(late.state).toBe('failed');
    expect(late.outcome?.errorCode).toBe('kubernetes.namespaceTerminating');
    expect(late.outcome?.cleanup).toBe('deleted');
    expect(
      cluster.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/secrets')).map((r) => r.status),
    ).toEqual([403]);
  });

  test('G14: Kubernetes answers 403 on secret create → the token is deleted again and the card names the missing right', async () => {
    k8s('aks-dev').rbac.deny({ namespace: 'payments', resource: 'secrets', verb: 'create' });
    const request = await requestSecret('aks-dev contosoacr --namespace payments forbidden namespace');
    const done = await approve(request.id);
    expect(done.state).toBe('failed');
    expect(done.outcome?.cleanup).toBe('deleted');
    expect(done.outcome?.error).toMatch(
      /RoleBinding .* create .* secrets|create on secrets|allows get, create and update on secrets/,
    );
    expect(h.app.sandbox!.arm.state.listTokens(contosoId)).toHaveLength(0);
    expect((await h.app.audit.forRequest(request.id)).map((e) => e.action)).toEqual(
      expect.arrayContaining(['azure.write.token', 'credential.cleanup', 'request.failed']),
    );
    const card = await h.connector.waitFor(
      (c) => /The request failed/.test(cardText(c.activity)),
      5000,
      'failure card',
    );
    expect(cardText(card.activity)).toMatch(/deleted again/);
  });

  test('G14: sp kind rolled back on 403 — application and role assignment deleted', async () => {
    k8s('aks-dev').rbac.deny({ namespace: 'payments', resource: 'secrets', verb: 'create' });
    const request = await requestSecret('aks-dev contosoacr --kind sp --namespace payments forbidden namespace');
    const done = await approve(request.id);
    expect(done.state).toBe('failed');
    expect(done.outcome?.cleanup).toBe('deleted');
    expect(
      [...h.app.sandbox!.directory.applications.values()].filter((a: { displayName: string }) =>
        a.displayName.startsWith('acrbot-pull'),
      ),
    ).toHaveLength(0);
    expect(h.app.sandbox!.arm.state.listRoleAssignments(contosoId)).toHaveLength(0);
  });

  test('G14: recording the new application\u2019s id fails right after Graph created it → it is found by its recorded uniqueName and deleted', async () => {
    const request = await requestSecret('aks-dev contosoacr --kind sp --namespace payments store hiccup');
    // The store refuses one write: the one recording the id of the application Graph just made.
    const store = h.app.store;
    const update = store.update.bind(store);
    let refused = 0;
    store.update = async (next) => {
      if (!refused && next.id === request.id && next.created?.some((o) => o.kind === 'application' && o.id)) {
        refused++;
        throw new Error('store unavailable');
      }
      return update(next);
    };
    const done = await approve(request.id);
    expect(refused).toBe(1);
    expect(done.state).toBe('failed');
    expect(done.outcome?.cleanup).toBe('deleted');
    const uniqueName = done.created?.find((o) => o.kind === 'application')?.name;
    expect(uniqueName).toBeDefined();
    expect(h.app.sandbox!.directory.getApplicationByUniqueName(uniqueName!)).toBeUndefined();
    expect(
      [...h.app.sandbox!.directory.applications.values()].filter((a: { displayName: string }) =>
        a.displayName.startsWith('acrbot-pull'),
      ),
    ).toHaveLength(0);
    const cleanup = (await h.app.audit.forRequest(request.id)).find((e) => e.action === 'credential.cleanup');
    // Named by the object id it was found under (never the name alone), with Graph's request ids
    // of its DELETE and permanent delete.
    const deletes = h.app.sandbox!.graph.requests.filter((r) => r.operation === 'applications.delete');
    expect(deletes).toHaveLength(1);
    const objectId = deletes[0].path.split('/').pop();
    expect(cleanup).toMatchObject({ outcome: 'deleted', targetIds: [objectId] });
    expect(cleanup!.correlationIds).toContain(deletes[0].requestId);
  });

  test('G14: Graph creates the application but its answer is lost on every try → found by its recorded uniqueName and deleted', async () => {
    const request = await requestSecret('aks-dev contosoacr --kind sp --namespace payments lost answer');
    const graph = h.app.sandbox!.graph;
    // The first upsert creates the application and answers 504; the SDK's retries (create-if-missing,
    // so they would find it) are answered 503 until it gives up.
    graph.faults.add({ operation: 'applications.upsert', status: 504, afterApply: true });
    graph.faults.add({ operation: 'applications.upsert', status: 503, count: 10, headers: { 'Retry-After': '0' } });
    const done = await approve(request.id);
    graph.faults.clear();
    expect(done.state).toBe('failed');
    const uniqueName = done.created?.find((o) => o.kind === 'application')?.name;
    expect(uniqueName).toBeDefined();
    expect(graph.requests.filter((r) => r.operation === 'applications.upsert' && r.status === 504)).toHaveLength(1);
    expect(h.app.sandbox!.directory.getApplicationByUniqueName(uniqueName!)).toBeUndefined();
    expect(done.outcome?.cleanup).toBe('deleted');
    expect(done.outcome?.error).toMatch(/deleted again/);
  });

  test("G14: the 201 that created the application is lost and the resent upsert answers 204 → still this run's new application, audited created", async () => {
    const graph = h.app.sandbox!.graph;
    // The first upsert creates the application and answers 504; the SDK resends it and Graph
    // answers 204 (it exists). Taken for an earlier run's application, it would get no
    // replication retries and, refused by its inspection, be left behind rather than deleted.
    graph.faults.add({ operation: 'applications.upsert', status: 504, afterApply: true });
    const request = await requestSecret('aks-dev contosoacr --kind sp --namespace payments resent upsert');
    const done = await approve(request.id);
    expect(graph.requests.filter((r) => r.operation === 'applications.upsert').map((r) => r.status)).toEqual([
      504, 204,
    ]);
    expect(done.outcome?.error).toBeUndefined();
    expect(done.state).toBe('succeeded');
    expect(acrbotApplications()).toHaveLength(1);
    const written = (await h.app.audit.forRequest(request.id)).find((e) => e.action === 'graph.write.application');
    expect(written?.outcome).toBe('created');
  });

  test('G14: Graph refuses the application → nothing was created, nothing is said to be deleted', async () => {
    const request = await requestSecret('aks-dev contosoacr --kind sp --namespace payments graph refuses');
    h.app.sandbox!.graph.faults.add({
      operation: 'applications.upsert',
      status: 403,
      code: 'Authorization_RequestDenied',
    });
    const done = await approve(request.id);
    expect(done.state).toBe('failed');
    expect(done.outcome?.cleanup).toBe('none');
    expect(done.outcome?.error).not.toMatch(/deleted again|recorded for clean-up/);
    const cleanup = (await h.app.audit.forRequest(request.id)).filter((e) => e.action === 'credential.cleanup');
    expect(cleanup).toEqual([]);
  });

  test('G14: every answer of the application call is lost and Graph shows nothing under the name → pending, not "never created"', async () => {
    const request = await requestSecret('aks-dev contosoacr --kind sp --namespace payments answers lost');
    // Not applied here, but a client cannot tell that from an answer lost after the write, and
    // right after it Graph may not show the application yet: looked for again later.
    const graph = h.app.sandbox!.graph;
    graph.faults.add({ operation: 'applications.upsert', status: 503, count: 10, headers: { 'Retry-After': '0' } });
    const done = await approve(request.id);
    graph.faults.clear();
    expect(done.state).toBe('failed');
    expect(done.outcome?.cleanup).toBe('pending');
    expect(done.outcome?.error).toMatch(/did not answer whether it created the credential; acrbot looks for it again/);
    const uniqueName = done.created?.find((o) => o.kind === 'application')?.name;
    expect(JSON.parse(done.outcome!.credentialRef!)).toEqual([
      { kind: 'sp', applicationId: '', appId: '', uniqueName },
    ]);
    const cleanup = (await h.app.audit.forRequest(request.id)).filter((e) => e.action === 'credential.cleanup');
    expect(cleanup).toMatchObject([
      { outcome: 'pending', detail: expect.stringMatching(/not found under its recorded name/) },
    ]);
    // Its clean-up job looks again a minute later: still nothing under the name, but too soon to
    // say Graph never made it; it looks once more ten minutes after the failure (unit test).
    const failedAt = Date.parse((await h.app.store.get(request.id))!.updatedAt);
    expect(await runCleanupJob(request.id)).toBe(true);
    expect((await h.app.store.get(request.id))?.outcome?.cleanup).toBe('pending');
    expect(await h.app.stores.schedule.get(`cleanup.credential:${request.id}`)).toMatchObject({
      dueAt: new Date(failedAt + 10 * 60_000).toISOString(),
      attempts: 0,
    });
  });

  test('G14: a token the failed run could not delete is deleted by its clean-up job, retried while it fails, not at the next start', async () => {
    k8s('aks-dev').rbac.deny({ namespace: 'payments', resource: 'secrets', verb: 'create' });
    const arm = h.app.sandbox!.arm;
    arm.faults.add({ operation: 'tokens.delete', status: 503, count: Infinity, headers: { 'Retry-After': '0' } });
    const request = await requestSecret('aks-dev contosoacr --namespace payments token delete fails');
    const done = await approve(request.id);
    expect(done.outcome?.cleanup).toBe('pending');
    expect(arm.state.listTokens(contosoId)).toHaveLength(1);
    // Still failing: the job stays, with its attempt counted (retried with backoff, reported).
    expect(await runCleanupJob(request.id)).toBe(true);
    expect(await h.app.stores.schedule.get(`cleanup.credential:${request.id}`)).toMatchObject({ attempts: 1 });
    expect((await h.app.store.get(request.id))?.outcome?.cleanup).toBe('pending');
    arm.faults.clear();
    expect(await runCleanupJob(request.id)).toBe(true);
    expect(arm.state.listTokens(contosoId)).toHaveLength(0);
    expect((await h.app.store.get(request.id))?.outcome?.cleanup).toBe('deleted');
    expect(await h.app.stores.schedule.get(`cleanup.credential:${request.id}`)).toBeUndefined();
  });

  /** Runs request `requestId`'s clean-up job now, as if its due time had come. */
  async function runCleanupJob(requestId: string): Promise<boolean> {
    const id = `cleanup.credential:${requestId}`;
    const job = await h.app.stores.schedule.get(id);
    expect(job).toMatchObject({ kind: 'cleanup.credential', requestId });
    await h.app.stores.schedule.put({ ...job!, dueAt: new Date(0).toISOString() });
    return h.app.scheduler.runNow(id);
  }

  test('an Azure refusal after the password exists is explained on the card and logged once for operators, without the password', async () => {
    // The password Graph hands out, caught where the emulator makes it: the sentinel to scan for.
    const directory = h.app.sandbox!.directory;
    const passwords: string[] = [];
    const addPassword = directory.addPassword.bind(directory);
    directory.addPassword = (...args: Parameters<typeof addPassword>) => {
      const added = addPassword(...args);
      passwords.push(added.secretText);
      return added;
    };
    h.app.sandbox!.arm.faults.add({ operation: 'roleAssignments.create', status: 403, code: 'AuthorizationFailed' });
    const request = await requestSecret('aks-dev contosoacr --kind sp --namespace payments refused by azure');
    const done = await approve(request.id);
    expect(done.state).toBe('failed');
    expect(done.outcome?.errorCode).toBe('AuthorizationFailed');
    // The role assignment was refused, not the credential: no advice about token rights.
    expect(done.outcome?.error).toMatch(
      /acrbot's identity may not give the new service principal AcrPull on registry contosoacr/,
    );
    expect(done.outcome?.error).not.toMatch(/ask for --kind sp/);
    expect(passwords).toHaveLength(1);
    h.logs.azureFailureLine('secret flow failed in Azure', request.id, 'AuthorizationFailed', 403);
    expect(h.logs.lines.join('')).not.toContain(passwords[0]);
  });

  test('--service-account adds the secret to imagePullSecrets, keeping existing entries, with or without a list', async () => {
    // The team's own pull secret for another registry is on the list first: it must stay (the
    // list is atomic on a ServiceAccount, so a strategic merge patch would replace it).
    const cluster = k8s('aks-dev');
    const account = cluster.getObject('serviceaccounts', 'payments', 'default')!;
    cluster.seedObject('serviceaccounts', {
      ...account,
      imagePullSecrets: [{ name: 'dockerhub-creds' }],
    } as typeof account);
    const first = await requestSecret(
      'aks-dev contosoacr --namespace payments --service-account default link to default sa',
    );
    await approve(first.id);
    expect(
      (k8s('aks-dev').getObject('serviceaccounts', 'payments', 'default') as unknown as { imagePullSecrets: unknown[] })
        .imagePullSecrets,
    ).toEqual([{ name: 'dockerhub-creds' }, { name: 'acr-auth' }]);
    const second = await requestSecret(
      'aks-dev contosoacr --namespace payments --name acr-two --service-account default second secret',
    );
    await approve(second.id);
    expect(
      (k8s('aks-dev').getObject('serviceaccounts', 'payments', 'default') as unknown as { imagePullSecrets: unknown[] })
        .imagePullSecrets,
    ).toEqual([{ name: 'dockerhub-creds' }, { name: 'acr-auth' }, { name: 'acr-two' }]);
    // And from no list at all: the add creates it.
    const bare = cluster.getObject('serviceaccounts', 'payments', 'default')!;
    const { imagePullSecrets: _list, ...withoutList } = bare as typeof bare & { imagePullSecrets?: unknown };
    cluster.seedObject('serviceaccounts', {
      ...withoutList,
      metadata: { ...bare.metadata, name: 'builder' },
    } as typeof bare);
    const third = await requestSecret(
      'aks-dev contosoacr --namespace payments --name acr-three --service-account builder third secret',
    );
    await approve(third.id);
    expect(
      (cluster.getObject('serviceaccounts', 'payments', 'builder') as unknown as { imagePullSecrets: unknown[] })
        .imagePullSecrets,
    ).toEqual([{ name: 'acr-three' }]);
  });

  test('--service-account whose list someone creates between the read and the patch: read again, their entry kept, then acrbot adds its own', async () => {
    const cluster = k8s('aks-dev');
    const bare = cluster.getObject('serviceaccounts', 'payments', 'default')!;
    const { imagePullSecrets: _list, ...withoutList } = bare as typeof bare & { imagePullSecrets?: unknown };
    cluster.seedObject('serviceaccounts', withoutList as typeof bare);
    // A Helm release gives the account its first pull secret just as acrbot patches: acrbot read
    // no list, so its add would create one and replace theirs, were the patch not guarded.
    cluster.faults.inject({
      verb: 'patch',
      resource: 'serviceaccounts',
      meanwhile: () => {
        const current = cluster.getObject('serviceaccounts', 'payments', 'default')!;
        cluster.seedObject('serviceaccounts', {
          ...current,
          imagePullSecrets: [{ name: 'team-registry' }],
        } as typeof current);
      },
    });
    const request = await requestSecret(
      'aks-dev contosoacr --namespace payments --service-account default raced by a helm release',
    );
    expect((await approve(request.id)).state).toBe('succeeded');
    expect(
      (cluster.getObject('serviceaccounts', 'payments', 'default') as unknown as { imagePullSecrets: unknown[] })
        .imagePullSecrets,
    ).toEqual([{ name: 'team-registry' }, { name: 'acr-auth' }]);
    expect(
      cluster.requests.filter((r) => r.method === 'PATCH' && r.path.includes('/serviceaccounts/')).map((r) => r.status),
    ).toEqual([422, 200]);
  });

  test('--service-account that acrbot may not patch: the secret and its credential stay, the outcome says what to do, the audit says failed', async () => {
    const request = await requestSecret(
      'aks-dev contosoacr --namespace payments --service-account default link to default sa',
    );
    k8s('aks-dev').faults.inject({ verb: 'patch', resource: 'serviceaccounts', status: 403, times: Infinity });
    const done = await approve(request.id);
    expect(done.state).toBe('succeeded');
    expect(done.outcome?.summary).toMatch(/Not added to service account default/);
    expect(done.outcome?.secret).toEqual(expect.objectContaining({ serviceAccountPatched: false }));
    // The secret works on its own (a pod names it), so nothing is taken back.
    expect(k8s('aks-dev').getObject('secrets', 'payments', 'acr-auth')).toBeDefined();
    expect(h.app.sandbox!.arm.state.listTokens(contosoId)).toHaveLength(1);
    expect(
      (
        k8s('aks-dev').getObject('serviceaccounts', 'payments', 'default') as unknown as {
          imagePullSecrets?: unknown[];
        }
      ).imagePullSecrets ?? [],
    ).toEqual([]);
    const entries = (await h.app.audit.forRequest(request.id)).map((e) => `${e.action}:${e.outcome}`);
    expect(entries).toEqual(
      expect.arrayContaining(['kubernetes.write.secret:created', 'kubernetes.write.serviceAccount:failed']),
    );
    expect(
      h.logs.lines.filter((l) => l.includes('the secret was written; adding it to the service account failed')),
    ).toHaveLength(1);
  });

  /** The token names in contosoacr. */
  const tokenNames = () => h.app.sandbox!.arm.state.listTokens(contosoId).map((t: { name: string }) => t.name);

  /** True when the pull secret's docker config holds a valid password of the token it names. */
  function secretHoldsLiveToken(namespace: string, name: string): boolean {
    const entry = dockerConfigOf('aks-dev', namespace, name).auths['contosoacr.azurecr.io'];
    return h.app.sandbox!.arm.state.verifyTokenPassword(contosoId, entry.username, entry.password);
  }

  /**
   * Approves `id` and waits until its run stopped with the secret write unconfirmed: the request
   * stays executing (no final state to settle on), so the audit entry is what says it stopped.
   */
  async function approveUntilInterrupted(id: string): Promise<void> {
    await h.click(users.approver, 'approve', { requestId: id });
    const deadline = Date.now() + 15_000;
    for (;;) {
      await h.app.services.executor.drain();
      const entries = await h.app.audit.forRequest(id);
      if (entries.some((e) => e.action === 'kubernetes.write.secret' && e.outcome === 'unconfirmed')) break;
      if (Date.now() > deadline) throw new Error(`run of ${id} was not interrupted`);
      await new Promise((res) => setTimeout(res, 10));
    }
    await h.app.services.executor.drain();
  }

  test('G14: the replacing secret write loses its connection → the credential is kept, the run stays executing and its resume finishes the rotation', async () => {
    const first = await requestSecret('aks-dev contosoacr --namespace payments first pull secret');
    expect((await approve(first.id)).state).toBe('succeeded');
    const second = await requestSecret('aks-dev contosoacr --namespace payments rotate the pull secret');
    // No answer at all: Kubernetes may or may not have carried the PUT out.
    k8s('aks-dev').faults.inject({ method: 'PUT', resource: 'secrets', drop: true });
    await approveUntilInterrupted(second.id);
    const interrupted = await h.app.store.get(second.id);
    expect(interrupted?.state).toBe('executing');
    // Nothing deleted: the new token may be in the secret; the old one still is.
    expect(tokenNames().sort()).toEqual(
      [`acrbot-${first.id.toLowerCase()}`, `acrbot-${second.id.toLowerCase()}`].sort(),
    );
    expect(secretHoldsLiveToken('payments', 'acr-auth')).toBe(true);
    expect((await h.app.audit.forRequest(second.id)).map((e) => e.action)).not.toContain('credential.cleanup');

    await h.app.services.executor.resumeInterrupted();
    const done = await h.settle(second.id);
    expect(done.state).toBe('succeeded');
    expect(done.outcome?.secret?.action).toBe('replaced');
    expect(tokenNames()).toEqual([`acrbot-${second.id.toLowerCase()}`]);
    expect(secretHoldsLiveToken('payments', 'acr-auth')).toBe(true);
    expect(done.outcome?.summary).toMatch(/The credential it replaced was deleted\./);
  });

  test('G14: recording the written secret fails → the credential the secret holds is kept, and the resumed run records it', async () => {
    const request = await requestSecret('aks-dev contosoacr --namespace payments store hiccup after the write');
    const store = h.app.store;
    const update = store.update.bind(store);
    let refused = 0;
    store.update = async (next) => {
      if (!refused && next.id === request.id && next.created?.some((o) => o.kind === 'pullSecret')) {
        refused++;
        throw new Error('store unavailable');
      }
      return update(next);
    };
    await approveUntilInterrupted(request.id);
    expect(refused).toBe(1);
    expect((await h.app.store.get(request.id))?.state).toBe('executing');
    expect(tokenNames()).toEqual([`acrbot-${request.id.toLowerCase()}`]);
    expect(secretHoldsLiveToken('payments', 'acr-auth')).toBe(true);

    await h.app.services.executor.resumeInterrupted();
    const done = await h.settle(request.id);
    expect(done.state).toBe('succeeded');
    // Rewritten by the resumed run, not "replaced": it replaced no one's secret.
    expect(done.outcome?.secret?.action).toBe('created');
    const uid = (
      k8s('aks-dev').getObject('secrets', 'payments', 'acr-auth') as unknown as { metadata: { uid: string } }
    ).metadata.uid;
    expect(done.created?.find((o) => o.kind === 'pullSecret')?.uid).toBe(uid);
    expect(secretHoldsLiveToken('payments', 'acr-auth')).toBe(true);
  });

  test('G14: a 504 on the secret write after someone else changed the secret → not written, the new token is deleted again', async () => {
    const first = await requestSecret('aks-dev contosoacr --namespace payments first pull secret');
    await approve(first.id);
    const second = await requestSecret('aks-dev contosoacr --namespace payments rotate the pull secret');
    const emulator = k8s('aks-dev');
    emulator.faults.inject({
      method: 'PUT',
      resource: 'secrets',
      status: 504,
      // Another client rewrites it first: acrbot's PUT, conditional on the old version, can never land.
      meanwhile: () => {
        const current = emulator.getObject('secrets', 'payments', 'acr-auth')!;
        emulator.seedObject('secrets', { ...current, metadata: { ...current.metadata, labels: { team: 'theirs' } } });
      },
    });
    const done = await approve(second.id);
    expect(done.state).toBe('failed');
    expect(done.outcome?.errorCode).toBe('kubernetes.secretChanged');
    expect(done.outcome?.cleanup).toBe('deleted');
    expect(tokenNames()).toEqual([`acrbot-${first.id.toLowerCase()}`]);
  });

  test('G14: deleting the credential a rotation replaced fails → the outcome says so and the clean-up job deletes it later', async () => {
    const first = await requestSecret('aks-dev contosoacr --namespace payments first pull secret');
    await approve(first.id);
    const second = await requestSecret('aks-dev contosoacr --namespace payments rotate the pull secret');
    const arm = h.app.sandbox!.arm;
    arm.faults.add({ operation: 'tokens.delete', status: 503, count: Infinity, headers: { 'Retry-After': '0' } });
    const done = await approve(second.id);
    expect(done.state).toBe('succeeded');
    expect(done.outcome?.secret?.action).toBe('replaced');
    // True for as long as the outcome message is read, which cannot be changed once sent.
    expect(done.outcome?.summary).toContain(
      `The credential of ${first.id}, which it replaced, could not be deleted at once; acrbot deletes it in the background and the audit log records when.`,
    );
    expect(tokenNames()).toContain(`acrbot-${first.id.toLowerCase()}`);
    // Still failing: the job stays, with its attempt counted (retried with backoff, reported).
    expect(await runCleanupJob(second.id)).toBe(true);
    expect(await h.app.stores.schedule.get(`cleanup.credential:${second.id}`)).toMatchObject({ attempts: 1 });
    arm.faults.clear();
    expect(await runCleanupJob(second.id)).toBe(true);
    expect(tokenNames()).toEqual([`acrbot-${second.id.toLowerCase()}`]);
    expect(await h.app.stores.schedule.get(`cleanup.credential:${second.id}`)).toBeUndefined();
    const after = await h.app.store.get(second.id);
    expect(after?.state).toBe('succeeded');
    expect(after?.outcome?.retirement).toBeUndefined();
    // The stored outcome, and so every copy of the request card, says it is done now.
    expect(after?.outcome?.summary).toContain(
      `The credential of ${first.id}, which it replaced, was deleted on a later try.`,
    );
    expect(after?.outcome?.summary).not.toMatch(/could not be deleted/);
    await h.connector.waitFor(
      (c) =>
        c.op === 'update' &&
        cardText(c.activity).includes(second.id) &&
        cardText(c.activity).includes('which it replaced, was deleted on a later try'),
      5000,
      'the request card redrawn after the retirement',
    );
    expect((await h.app.audit.forRequest(second.id)).filter((e) => e.action === 'credential.cleanup')).toEqual([
      expect.objectContaining({ outcome: 'pending' }),
      expect.objectContaining({ outcome: 'deleted' }),
    ]);
    // The new secret still works: only the replaced credential went.
    expect(secretHoldsLiveToken('payments', 'acr-auth')).toBe(true);
  });

  test('bad options get a clear message and change nothing', async () => {
    for (const [args, fragment] of [
      ['aks-dev contosoacr --kind magic valid reason text', '--kind'],
      ['aks-dev contosoacr --namespace Bad_NS valid reason text', 'namespace'],
      ['aks-dev contosoacr --expires 5y valid reason text', 'maximum'],
      ['aks-dev contosoacr --bogus x valid reason text', 'Unknown option'],
    ] as const) {
      h.connector.clear();
      await h.say(users.requester, `secret ${args}`);
      const reply = await h.connector.waitFor(
        (c) => c.op !== 'update' && cardText(c.activity).includes(fragment),
        5000,
        `rejection of ${args}`,
      );
      expect(cardText(reply.activity)).toContain(fragment);
    }
    expect(await h.app.store.listByState(['pending'])).toHaveLength(0);
  });
});

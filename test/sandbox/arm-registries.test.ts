/**
 * The ARM emulator's ACR surface (registries, scope maps, tokens, credentials), through the real
 * `@azure/arm-containerregistry` client.
 */
import { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
import type { TokenCredential } from '@azure/core-auth';
import { SANDBOX_REGISTRIES, SANDBOX_SUBSCRIPTIONS, sandboxResourceId } from '../../src/sandbox/fixtures';
import { sandboxCredential } from '../../src/sandbox/identity/access-tokens';
import { httpsJson } from '../../src/sandbox/http-util';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';

const credential: TokenCredential = sandboxCredential;
const contoso = SANDBOX_REGISTRIES.contoso;
const contosoId = sandboxResourceId('registry', contoso);

let sandbox: Sandbox;
let acr: ContainerRegistryManagementClient;

beforeAll(async () => {
  sandbox = await startSandbox();
  acr = new ContainerRegistryManagementClient(credential, SANDBOX_SUBSCRIPTIONS.platform, {
    endpoint: sandbox.armUrl,
    tlsOptions: { ca: sandbox.tls.caPem },
  });
});
afterAll(() => sandbox.stop());
beforeEach(() => {
  sandbox.arm.clearRequests();
  sandbox.arm.faults.clear();
  sandbox.arm.state.longRunning.clear();
});

describe('registries', () => {
  it('gets a registry with a lowercase login server and its role mode', async () => {
    const r = await acr.registries.get(contoso.resourceGroup, 'ContosoACR');
    expect(r.id).toBe(contosoId);
    expect(r.loginServer).toBe('contosoacr.azurecr.io');
    expect(r.roleAssignmentMode).toBe('LegacyRegistryPermissions');
    const abac = await acr.registries.get('rg-acr', 'contosoabac');
    expect(abac.roleAssignmentMode).toBe('AbacRepositoryPermissions');
  });

  it('lists registries of a subscription, paging through nextLink one at a time', async () => {
    sandbox.arm.state.pageSize = 1;
    try {
      const names: string[] = [];
      for await (const r of acr.registries.list()) names.push(r.name!);
      expect(names.sort()).toEqual(['contosoabac', 'contosoacr', 'sharedacr']);
      const calls = sandbox.arm.requests.filter((r) => r.operation === 'registries.list');
      expect(calls).toHaveLength(3);
      expect(calls.every((c) => c.apiVersion === '2025-11-01')).toBe(true);
    } finally {
      sandbox.arm.state.pageSize = 50;
    }
  });

  it('finds sharedacr in both subscriptions, with different login servers', async () => {
    const data = new ContainerRegistryManagementClient(credential, SANDBOX_SUBSCRIPTIONS.data, {
      endpoint: sandbox.armUrl,
      tlsOptions: { ca: sandbox.tls.caPem },
    });
    const inData: string[] = [];
    for await (const r of data.registries.list()) inData.push(r.loginServer!);
    expect(inData).toEqual(['sharedacr-b7c1.azurecr.io']);
    const inGroup: string[] = [];
    for await (const r of acr.registries.listByResourceGroup('rg-shared')) inGroup.push(r.loginServer!);
    expect(inGroup).toEqual(['sharedacr.azurecr.io']);
  });

  it('answers 404 ResourceNotFound for a missing registry', async () => {
    await expect(acr.registries.get('rg-acr', 'missingacr')).rejects.toMatchObject({
      statusCode: 404,
      code: 'ResourceNotFound',
    });
  });
});

describe('scope maps', () => {
  it('has the system scope maps on every registry', async () => {
    const pull = await acr.scopeMaps.get('rg-acr', 'contosoabac', '_repositories_pull');
    expect(pull.id).toBe(`${sandboxResourceId('registry', SANDBOX_REGISTRIES.abac)}/scopeMaps/_repositories_pull`);
    expect(pull.actions).toEqual(['repositories/*/content/read']);
    expect(pull.typePropertiesType).toBe('SystemDefined');
    const names: string[] = [];
    for await (const sm of acr.scopeMaps.list('rg-acr', 'contosoacr')) names.push(sm.name!);
    expect(names.sort()).toEqual(['_repositories_admin', '_repositories_pull', '_repositories_push']);
  });

  it('creates, updates and deletes a user-defined scope map', async () => {
    const created = await acr.scopeMaps.create('rg-acr', 'contosoacr', 'pull-app1', {
      actions: ['repositories/app1/content/read'],
      description: 'app1',
    });
    expect(created.provisioningState).toBe('Succeeded');
    expect(created.typePropertiesType).toBe('IsUserDefined');
    const updated = await acr.scopeMaps.create('rg-acr', 'contosoacr', 'pull-app1', {
      actions: ['repositories/app1/content/read', 'repositories/app1/metadata/read'],
    });
    expect(updated.actions).toHaveLength(2);
    expect(sandbox.arm.requests.filter((r) => r.operation === 'scopeMaps.create').map((r) => r.status)).toEqual([
      201, 200,
    ]);
    await acr.scopeMaps.delete('rg-acr', 'contosoacr', 'pull-app1');
    await expect(acr.scopeMaps.get('rg-acr', 'contosoacr', 'pull-app1')).rejects.toMatchObject({
      statusCode: 404,
      code: 'ResourceNotFound',
    });
  });

  it('rejects bad scope map names and changes to system scope maps', async () => {
    await expect(
      acr.scopeMaps.create('rg-acr', 'contosoacr', 'a.b', { actions: ['repositories/x/content/read'] }),
    ).rejects.toMatchObject({ statusCode: 400, code: 'InvalidResourceName' });
    await expect(
      acr.scopeMaps.create('rg-acr', 'contosoacr', '_repositories_pull', { actions: ['repositories/x/content/read'] }),
    ).rejects.toMatchObject({ statusCode: 400 });
  });
});

describe('tokens and credentials', () => {
  const pullScopeMapId = `${contosoId}/scopeMaps/_repositories_pull`;

  it('creates a token, returns its passwords once, and never again', async () => {
    const token = await acr.tokens.create('rg-acr', 'contosoacr', 'acrbot-aks-prod', {
      scopeMapId: pullScopeMapId.toLowerCase(),
      status: 'enabled',
    });
    expect(token.provisioningState).toBe('Succeeded');
    expect(token.scopeMapId).toBe(pullScopeMapId);
    expect(sandbox.arm.requests.at(-1)).toMatchObject({ operation: 'tokens.create', status: 201 });

    const expiry = new Date(Date.now() + 30 * 24 * 3600e3);
    const creds = await acr.registries.generateCredentials('rg-acr', 'contosoacr', {
      tokenId: token.id!,
      expiry,
      name: 'password1',
    });
    expect(creds.username).toBe('acrbot-aks-prod');
    expect(creds.passwords).toHaveLength(1);
    const password = creds.passwords![0]!;
    expect(password.name).toBe('password1');
    expect(password.value).toMatch(/^[A-Za-z0-9+/=]{40,}$/);
    expect(password.expiry?.toISOString()).toBe(expiry.toISOString());

    const again = await acr.tokens.get('rg-acr', 'contosoacr', 'acrbot-aks-prod');
    expect(again.credentials?.passwords).toEqual([expect.objectContaining({ name: 'password1' })]);
    expect(again.credentials?.passwords?.[0]?.value).toBeUndefined();
    const raw = await httpsJson(`${sandbox.armUrl}${token.id}?api-version=2025-11-01`, {
      ca: sandbox.tls.caPem,
      token: sandbox.token,
    });
    expect(JSON.stringify(raw.body)).not.toContain(password.value!);

    expect(sandbox.arm.state.verifyTokenPassword(contosoId, 'acrbot-aks-prod', password.value!)).toBe(true);
    expect(sandbox.arm.state.verifyTokenPassword(contosoId, 'acrbot-aks-prod', 'wrong')).toBe(false);
  });

  it('regenerates both passwords when no name is given', async () => {
    await acr.tokens.create('rg-acr', 'contosoacr', 'two-passwords', { scopeMapId: pullScopeMapId });
    const creds = await acr.registries.generateCredentials('rg-acr', 'contosoacr', {
      tokenId: `${contosoId}/tokens/two-passwords`,
    });
    expect(creds.passwords?.map((p) => p.name)).toEqual(['password1', 'password2']);
    expect(creds.passwords![0]!.value).not.toBe(creds.passwords![1]!.value);
  });

  it('lists and deletes tokens', async () => {
    await acr.tokens.create('rg-acr', 'contosoacr', 'to-delete', { scopeMapId: pullScopeMapId });
    const names: string[] = [];
    for await (const t of acr.tokens.list('rg-acr', 'contosoacr')) names.push(t.name!);
    expect(names).toContain('to-delete');
    await acr.tokens.delete('rg-acr', 'contosoacr', 'to-delete');
    expect(sandbox.arm.state.listTokens(contosoId).map((t) => t.name)).not.toContain('to-delete');
    await expect(acr.tokens.get('rg-acr', 'contosoacr', 'to-delete')).rejects.toMatchObject({
      statusCode: 404,
      code: 'ResourceNotFound',
    });
    // Deleting again is a no-op (204), so clean-up can be retried.
    await acr.tokens.delete('rg-acr', 'contosoacr', 'to-delete');
    expect(sandbox.arm.requests.filter((r) => r.operation === 'tokens.delete').map((r) => r.status)).toEqual([
      200, 204,
    ]);
  });

  it('validates token names and scope maps', async () => {
    await expect(
      acr.tokens.create('rg-acr', 'contosoacr', 'bad_name', { scopeMapId: pullScopeMapId }),
    ).rejects.toMatchObject({ statusCode: 400, code: 'InvalidResourceName' });
    await expect(
      acr.tokens.create('rg-acr', 'contosoacr', 'abcd', { scopeMapId: pullScopeMapId }),
    ).rejects.toMatchObject({ statusCode: 400, code: 'InvalidResourceName' });
    await expect(
      acr.tokens.create('rg-acr', 'contosoacr', 'no-such-map', { scopeMapId: `${contosoId}/scopeMaps/nope1` }),
    ).rejects.toMatchObject({ statusCode: 400 });
    await expect(
      acr.registries.generateCredentials('rg-acr', 'contosoacr', { tokenId: `${contosoId}/tokens/ghost` }),
    ).rejects.toMatchObject({ statusCode: 404, code: 'ResourceNotFound' });
  });

  it('answers ParentResourceNotFound for tokens of a missing registry', async () => {
    await expect(acr.tokens.get('rg-acr', 'missingacr', 'tok12')).rejects.toMatchObject({
      statusCode: 404,
      code: 'ParentResourceNotFound',
    });
  });

  it('injects faults by operation, and holds a call until the test releases it', async () => {
    sandbox.arm.faults.add({ operation: 'tokens.create', status: 409, code: 'Conflict', message: 'busy' });
    await expect(
      acr.tokens.create('rg-acr', 'contosoacr', 'faulty', { scopeMapId: pullScopeMapId }),
    ).rejects.toMatchObject({ statusCode: 409, code: 'Conflict', message: 'busy' });
    // The held GET is overtaken by a list sent after it, and answers once released.
    const held = sandbox.arm.faults.hold({ operation: 'registries.get' });
    const answered: string[] = [];
    const slow = acr.registries.get('rg-acr', 'contosoacr').then(() => answered.push('get'));
    await held.arrived;
    for await (const _ of acr.registries.listByResourceGroup('rg-acr')) void _;
    answered.push('list');
    expect(answered).toEqual(['list']);
    expect(sandbox.arm.requests.map((r) => r.operation)).not.toContain('registries.get');
    held.release();
    await slow;
    expect(answered).toEqual(['list', 'get']);
    expect(sandbox.arm.faults.pending()).toEqual([]);
  });
});

describe('a token create ACR has accepted and not finished', () => {
  const pullScopeMapId = `${contosoId}/scopeMaps/_repositories_pull`;
  const tokenNames = () => sandbox.arm.state.listTokens(contosoId).map((t) => t.name);
  // The SDK polls every 10 ms instead of its default 2 s: only how soon it sees the end changes.
  const create = (name: string) =>
    acr.tokens.create('rg-acr', 'contosoacr', name, { scopeMapId: pullScopeMapId }, { updateIntervalInMs: 10 });

  it('answers 201 Creating with an operation to poll; shows Creating; refuses a DELETE 409 until it ends', async () => {
    const held = sandbox.arm.state.longRunning.hold({ operation: 'tokens.create', pathIncludes: 'slow-token' });
    const url = `${sandbox.armUrl}${contosoId}/tokens/slow-token?api-version=2025-11-01`;
    const put = await httpsJson(url, {
      ca: sandbox.tls.caPem,
      token: sandbox.token,
      method: 'PUT',
      body: { properties: { scopeMapId: pullScopeMapId, status: 'enabled' } },
    });
    expect(put.status).toBe(201);
    expect(put.body).toMatchObject({ properties: { provisioningState: 'Creating' } });
    const statusUrl = put.headers['azure-asyncoperation'] as string;
    expect(statusUrl).toMatch(/\/tokens\/slow-token\/operationStatuses\/tokens-[0-9a-f-]+\?api-version=2025-11-01$/);
    const poll = () => httpsJson(statusUrl, { ca: sandbox.tls.caPem, token: sandbox.token });
    expect((await poll()).body).toMatchObject({ status: 'InProgress' });
    expect((await acr.tokens.get('rg-acr', 'contosoacr', 'slow-token')).provisioningState).toBe('Creating');
    await expect(acr.tokens.delete('rg-acr', 'contosoacr', 'slow-token')).rejects.toMatchObject({
      statusCode: 409,
      code: 'Conflict',
    });
    held.finish();
    expect((await poll()).body).toMatchObject({ status: 'Succeeded' });
    expect((await acr.tokens.get('rg-acr', 'contosoacr', 'slow-token')).provisioningState).toBe('Succeeded');
    await acr.tokens.delete('rg-acr', 'contosoacr', 'slow-token');
    expect(tokenNames()).not.toContain('slow-token');
  });

  it('the SDK polls the operation until it ends and returns the token then', async () => {
    const held = sandbox.arm.state.longRunning.hold({ operation: 'tokens.create', pathIncludes: 'polled-token' });
    const creating = create('polled-token');
    await held.accepted;
    held.finish();
    expect((await creating).provisioningState).toBe('Succeeded');
    expect(sandbox.arm.requests.some((r) => r.operation === 'tokens.operationStatus')).toBe(true);
  });

  it('a DELETE the create overtakes: answered 200, and the token is back when the create ends', async () => {
    const held = sandbox.arm.state.longRunning.hold({
      operation: 'tokens.create',
      pathIncludes: 'overtaken-token',
      deleteWhileCreating: 'overtaken',
    });
    const creating = create('overtaken-token');
    await held.accepted;
    await acr.tokens.delete('rg-acr', 'contosoacr', 'overtaken-token');
    expect(tokenNames()).not.toContain('overtaken-token');
    held.finish();
    await creating;
    expect(tokenNames()).toContain('overtaken-token');
    await acr.tokens.delete('rg-acr', 'contosoacr', 'overtaken-token');
  });

  it('a create accepted but not stored yet: 404 and a DELETE 204 until it ends, then the token is there', async () => {
    const held = sandbox.arm.state.longRunning.hold({
      operation: 'tokens.create',
      pathIncludes: 'hidden-token',
      visible: false,
    });
    const creating = create('hidden-token');
    await held.accepted;
    await expect(acr.tokens.get('rg-acr', 'contosoacr', 'hidden-token')).rejects.toMatchObject({ statusCode: 404 });
    await acr.tokens.delete('rg-acr', 'contosoacr', 'hidden-token');
    held.finish();
    await creating;
    expect(tokenNames()).toContain('hidden-token');
    expect(sandbox.arm.requests.filter((r) => r.operation === 'tokens.delete').map((r) => r.status)).toEqual([204]);
    await acr.tokens.delete('rg-acr', 'contosoacr', 'hidden-token');
  });

  it('a scope map create is held the same way', async () => {
    const held = sandbox.arm.state.longRunning.hold({ operation: 'scopeMaps.create', pathIncludes: 'slow-map' });
    const creating = acr.scopeMaps.create(
      'rg-acr',
      'contosoacr',
      'slow-map',
      { actions: ['repositories/app/content/read'] },
      { updateIntervalInMs: 10 },
    );
    await held.accepted;
    expect((await acr.scopeMaps.get('rg-acr', 'contosoacr', 'slow-map')).provisioningState).toBe('Creating');
    await expect(acr.scopeMaps.delete('rg-acr', 'contosoacr', 'slow-map')).rejects.toMatchObject({ statusCode: 409 });
    held.finish();
    expect((await creating).provisioningState).toBe('Succeeded');
    await acr.scopeMaps.delete('rg-acr', 'contosoacr', 'slow-map');
  });
});

describe('request bodies', () => {
  it('answers a body over 1 MiB with 413 RequestEntityTooLarge and changes nothing', async () => {
    const url = `${sandbox.armUrl}${contosoId}/scopeMaps/too-large?api-version=2025-11-01`;
    const res = await httpsJson(url, {
      ca: sandbox.tls.caPem,
      token: sandbox.token,
      method: 'PUT',
      body: { properties: { description: 'x'.repeat(1_100_000), actions: [] } },
    });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: { code: 'RequestEntityTooLarge', message: 'The request body is too large.' } });
    await expect(acr.scopeMaps.get('rg-acr', 'contosoacr', 'too-large')).rejects.toMatchObject({ statusCode: 404 });
  });
});

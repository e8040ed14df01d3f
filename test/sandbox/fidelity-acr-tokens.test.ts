/**
 * ACR token fidelity in the ARM emulator: a disabled token signs in with none of its passwords,
 * as in ACR (disabling a token is how access is cut without deleting it), so the sandbox's check
 * that a Kubernetes secret holds a working credential (`state.verifyTokenPassword`) fails for
 * a token left or made `disabled`. Through the real `@azure/arm-containerregistry` client.
 */
import { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
import { SANDBOX_REGISTRIES, SANDBOX_SUBSCRIPTIONS, sandboxResourceId } from '../../src/sandbox/fixtures';
import { sandboxCredential } from '../../src/sandbox/identity/access-tokens';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';

const contoso = SANDBOX_REGISTRIES.contoso;
const contosoId = sandboxResourceId('registry', contoso);
const pullScopeMapId = `${contosoId}/scopeMaps/_repositories_pull`;

let sandbox: Sandbox;
let acr: ContainerRegistryManagementClient;

beforeAll(async () => {
  sandbox = await startSandbox();
  acr = new ContainerRegistryManagementClient(sandboxCredential, SANDBOX_SUBSCRIPTIONS.platform, {
    endpoint: sandbox.armUrl,
    tlsOptions: { ca: sandbox.tls.caPem },
  });
});
afterAll(() => sandbox.stop());

/** Creates a token with the given status and mints its password1. */
async function tokenWithPassword(name: string, status: 'enabled' | 'disabled'): Promise<string> {
  await acr.tokens.create(contoso.resourceGroup, contoso.name, name, { scopeMapId: pullScopeMapId, status });
  const creds = await acr.registries.generateCredentials(contoso.resourceGroup, contoso.name, {
    tokenId: `${contosoId}/tokens/${name}`,
    expiry: new Date(Date.now() + 24 * 3600e3),
    name: 'password1',
  });
  return creds.passwords![0]!.value!;
}

describe('a disabled token signs in with none of its passwords', () => {
  it('a token created disabled: its fresh, unexpired password does not verify', async () => {
    const password = await tokenWithPassword('made-disabled', 'disabled');
    expect(sandbox.arm.state.verifyTokenPassword(contosoId, 'made-disabled', password)).toBe(false);
  });

  it('disabling a token cuts its password off; enabling it again restores it', async () => {
    const password = await tokenWithPassword('toggled', 'enabled');
    expect(sandbox.arm.state.verifyTokenPassword(contosoId, 'toggled', password)).toBe(true);

    const disabled = await acr.tokens.update(contoso.resourceGroup, contoso.name, 'toggled', { status: 'disabled' });
    expect(disabled.status).toBe('disabled');
    expect(sandbox.arm.state.verifyTokenPassword(contosoId, 'toggled', password)).toBe(false);

    await acr.tokens.update(contoso.resourceGroup, contoso.name, 'toggled', { status: 'enabled' });
    expect(sandbox.arm.state.verifyTokenPassword(contosoId, 'toggled', password)).toBe(true);
  });
});

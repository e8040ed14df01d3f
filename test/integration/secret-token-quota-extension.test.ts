/**
 * A `--kind token` extension at the registry's limit of tokens: it makes its new token (and scope
 * map) before it deletes the old ones, so a registry exactly at its limit refuses it. Its error
 * says so, and offers no `--kind sp`, which `extend` cannot take (it takes only --for).
 */
import { setRegistryTokenRules } from '../../src/sandbox/arm/registry-token-rules';
import { SANDBOX_REGISTRIES, sandboxResourceId } from '../../src/sandbox/fixtures';
import { tokenNameFor } from '../../src/domain/secret-credential';
import { users } from '../helpers/harness';
import { grantedSecretOnAksDev, h, requestExtension, tokens, useLifecycleHooks } from '../helpers/lifecycle';

useLifecycleHooks();
const contosoId = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);

test('an extension at the token limit: room for one more asked, no --kind sp offered, nothing said deleted', async () => {
  const { id } = await grantedSecretOnAksDev(
    'aks-dev contosoacr --namespace payments --service-account default --repositories team/app --for 10m pull for payments-api',
  );
  const registry = h.app.sandbox!.arm.state.getRegistry(contosoId)!;
  setRegistryTokenRules(registry, { maxTokens: registry.tokens.size });
  const extensionId = await requestExtension(id, '--for 1h rollout still running');
  await h.click(users.approver, 'approve', { requestId: extensionId });
  const done = await h.settle(extensionId);
  expect(done.state).toBe('failed');
  expect(done.outcome?.errorCode).toBe('azure.registryQuota');
  expect(done.outcome?.error).toMatch(
    /or move the registry to a higher SKU\. An extension makes its new token and scope map before it deletes the old ones, so the registry needs room for one more of each\. They can look the refusal up/,
  );
  expect(done.outcome?.error).not.toMatch(/--kind sp/);
  // Only the new scope map was made, and deleted again: no token of the extension to name.
  expect(done.outcome?.cleanup).toBe('none');
  expect(tokens()).not.toContain(tokenNameFor(extensionId));
  expect(tokens()).toContain(tokenNameFor(id));
});

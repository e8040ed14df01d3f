/**
 * A `--kind token` run at the registry's limit of tokens or scope maps (ACR: 100 on Basic, 500
 * on Standard, 50,000 on Premium, each), against the emulated ARM: the card names the limit that
 * was hit, and says what the clean-up deleted (the scope map, when the token was never made).
 */
import { setRegistryTokenRules } from '../../src/sandbox/arm/registry-token-rules';
import { SANDBOX_REGISTRIES, sandboxResourceId } from '../../src/sandbox/fixtures';
import { type Harness, startHarness, users } from '../helpers/harness';

const contosoId = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);

describe('a token run at the registry quota', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => h.stop());

  const registry = () => h.app.sandbox!.arm.state.getRegistry(contosoId)!;
  const userScopeMaps = () => [...registry().scopeMaps.values()].filter((s) => !s.system).map((s) => s.name);

  async function run(command: string) {
    const r = await h.requestSecret(users.requester, command);
    await h.click(users.approver, 'approve', { requestId: r.id });
    return h.settle(r.id);
  }

  test('at the token limit: the token limit named, and only the scope map said deleted', async () => {
    setRegistryTokenRules(registry(), { maxTokens: registry().tokens.size });
    const done = await run('aks-dev contosoacr --namespace payments --repositories team/app pull for payments-api');
    expect(done.state).toBe('failed');
    expect(done.outcome?.errorCode).toBe('azure.registryQuota');
    expect(done.outcome?.error).toMatch(
      /^Azure refused to create the token on registry contosoacr \(QuotaExceeded\): the registry holds as many tokens as its SKU allows/,
    );
    expect(done.outcome?.error).toMatch(/ The scope map acrbot had created for the token was deleted again\.$/);
    expect(done.outcome?.error).not.toMatch(/credential acrbot had created/);
    expect(userScopeMaps()).toEqual([]);
  });

  test('at the scope-map limit: the scope-map limit named, and nothing was created', async () => {
    setRegistryTokenRules(registry(), { maxScopeMaps: userScopeMaps().length });
    const done = await run('aks-dev contosoacr --namespace payments --repositories team/app pull for payments-api');
    expect(done.state).toBe('failed');
    expect(done.outcome?.errorCode).toBe('azure.registryQuota');
    expect(done.outcome?.error).toMatch(
      /^Azure refused to create the scope map on registry contosoacr \(QuotaExceeded\): the registry holds as many scope maps as its SKU allows/,
    );
    expect(done.outcome?.error).toMatch(/ Nothing was created\.$/);
    expect(h.app.sandbox!.arm.state.listTokens(contosoId)).toEqual([]);
  });
});

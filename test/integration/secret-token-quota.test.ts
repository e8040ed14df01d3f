/**
 * A `--kind token` run at the registry's limit of tokens or scope maps (ACR: 100 on Basic, 500
 * on Standard, 50,000 on Premium, each), against the emulated ARM: the card names the limit that
 * was hit, says what the clean-up deleted (the scope map, when the token was never made), and
 * offers --kind sp only as the requester can take it.
 */
import { setRegistryTokenRules } from '../../src/sandbox/arm/registry-token-rules';
import { SANDBOX_REGISTRIES, sandboxResourceId } from '../../src/sandbox/fixtures';
import { tokenNameFor } from '../../src/domain/secret-credential';
import { cardText } from '../helpers/capturing-connector';
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

  /** The requester's outcome message of `id` (a failed one), once sent. */
  async function failedMessage(id: string): Promise<string> {
    const sent = await h.connector.waitFor(
      (c) => c.op !== 'update' && cardText(c.activity).includes(`The request failed: ${id}`),
      5000,
      'the outcome message',
    );
    return cardText(sent.activity);
  }

  /** `[outcome, detail]` of the request's `credential.cleanup` entries. */
  const cleanupEntries = async (id: string) =>
    (await h.app.audit.forRequest(id))
      .filter((e) => e.action === 'credential.cleanup')
      .map((e) => [e.outcome, e.detail]);

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
    // The token was never made: the card neither names it as the credential nor says it was
    // deleted again (the error says the scope map was).
    expect(done.outcome?.cleanup).toBe('none');
    const message = await failedMessage(done.id);
    expect(message).not.toMatch(/Clean-up|ACR token/);
    // The entry tells the token (never made) from its scope map (deleted): they share a name.
    expect(await cleanupEntries(done.id)).toEqual([
      ['deleted', `token ${tokenNameFor(done.id)} not found: never created, or deleted already`],
    ]);
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
    // Nothing was made: no credential on the card, no clean-up said done.
    expect(done.outcome?.cleanup).toBe('none');
    const message = await failedMessage(done.id);
    expect(message).not.toMatch(/Clean-up|ACR token/);
    const name = tokenNameFor(done.id);
    expect(await cleanupEntries(done.id)).toEqual([
      ['absent', `token ${name}, scope map ${name} not found: never created, or deleted already`],
    ]);
  });

  test('limited to repositories: --kind sp offered as what it is, a credential without --repositories', async () => {
    setRegistryTokenRules(registry(), { maxTokens: registry().tokens.size });
    const done = await run('aks-dev contosoacr --namespace payments --repositories team/app pull for payments-api');
    expect(done.outcome?.error).toMatch(
      /or move the registry to a higher SKU; or ask again with --kind sp and without --repositories, which uses neither but pulls from every repository of the registry\. /,
    );
  });

  test('not limited to repositories: --kind sp offered as it is', async () => {
    setRegistryTokenRules(registry(), { maxTokens: registry().tokens.size });
    const done = await run('aks-dev contosoacr --namespace payments pull for payments-api');
    expect(done.outcome?.errorCode).toBe('azure.registryQuota');
    expect(done.outcome?.error).toMatch(
      /or move the registry to a higher SKU; or ask for --kind sp, which uses neither\. /,
    );
    expect(done.outcome?.error).toMatch(/ Nothing was created\.$/);
    expect(done.outcome?.cleanup).toBe('none');
  });
});

/**
 * An extension's card tells the approver what the registry's network allows when the extension is
 * asked for, not what it allowed when the original was planned (possibly months ago): the network
 * verdict is read again with the tags. A registry closed since the grant is said to pull nothing;
 * one opened since is no longer said to be blocked.
 */
import type { AccessRequest } from '../../src/domain/request';
import { SANDBOX_REGISTRIES, sandboxResourceId } from '../../src/sandbox/fixtures';
import { requestCard } from '../../src/views/request-view';
import { approvedThenExtended } from '../helpers/extension-asked';
import { type Harness, startHarness, users } from '../helpers/harness';

const CLOSED =
  'Public network access to contosoacr is disabled and it has no approved private endpoint, so nothing can reach it.';

describe("an extension's network verdict is the registry's now", () => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  const contosoacr = () =>
    h.app.sandbox!.arm.state.getRegistry(sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso))!;

  /** A granted request on aks-prod/contosoacr, then its extension as stored (pending approval). */
  async function grantThenExtend(
    between: () => void,
    ask: () => Promise<AccessRequest> = () =>
      h.requestGrant(users.requester, 'aks-prod contosoacr --for 1d deploy payments-api'),
  ): Promise<{ original: AccessRequest; extension: AccessRequest }> {
    const original = await ask();
    const extension = await approvedThenExtended(h, original, between);
    return { original: (await h.app.store.get(original.id))!, extension };
  }

  const cardOf = (request: AccessRequest) => JSON.stringify(requestCard(request, { showActions: true }));

  test('planned while public, closed since: the extension says it pulls nothing', async () => {
    h = await startHarness();
    const { original, extension } = await grantThenExtend(() => {
      contosoacr().publicNetworkAccess = 'Disabled';
    });
    expect(original.plan.registry.unreachable).toBeUndefined();
    expect(extension.plan.registry.unreachable).toBe(CLOSED);
    expect(cardOf(extension)).toContain(
      `When this was requested: ${CLOSED} Until the cluster can reach the registry, this access pulls nothing.`,
    );
  });

  test('a pull secret: its extension (a rotation) carries the verdict of now too', async () => {
    h = await startHarness();
    const { original, extension } = await grantThenExtend(
      () => {
        contosoacr().publicNetworkAccess = 'Disabled';
      },
      () => h.requestSecret(users.requester, 'aks-dev contosoacr --namespace payments --for 1d deploy payments-api'),
    );
    expect(original.plan.registry.unreachable).toBeUndefined();
    expect(extension.plan.kind).toBe('secret');
    expect(extension.plan.registry.unreachable).toBe(CLOSED);
    expect(cardOf(extension)).toContain(`When this was requested: ${CLOSED}`);
  });

  test('planned while public, firewalled to one IP range since: the extension carries the condition', async () => {
    h = await startHarness();
    const { extension } = await grantThenExtend(() => {
      contosoacr().networkRuleSet = { defaultAction: 'Deny', ipRules: ['203.0.113.0/24'] };
    });
    expect(extension.plan.registry.unreachable).toBeUndefined();
    expect(extension.plan.registry.networkCondition).toMatch(
      /^The registry firewall denies by default and allows 1 IP range/,
    );
    expect(cardOf(extension)).toContain(
      "acrbot cannot check that, so this access pulls only if the cluster's network gets through.",
    );
  });

  test('anonymous pull and the admin user: on when planned and turned off since, on since, each as it is now', async () => {
    h = await startHarness();
    contosoacr().anonymousPullEnabled = true;
    const { original, extension } = await grantThenExtend(() => {
      contosoacr().anonymousPullEnabled = false;
      contosoacr().adminUserEnabled = true;
    });
    expect(original.plan.registry.anonymousPull).toMatch(/^Anonymous pull is enabled/);
    expect(original.plan.registry.adminUser).toBeUndefined();
    expect(extension.plan.registry.anonymousPull).toBeUndefined();
    expect(extension.plan.registry.adminUser).toMatch(/^The registry's admin user is enabled/);
    expect(cardOf(extension)).not.toContain('Anonymous pull');
    expect(cardOf(extension)).toContain("When this was requested: The registry's admin user is enabled");
  });

  test('planned while closed, opened since: the extension no longer says it is blocked', async () => {
    h = await startHarness();
    contosoacr().publicNetworkAccess = 'Disabled';
    const { original, extension } = await grantThenExtend(() => {
      contosoacr().publicNetworkAccess = 'Enabled';
    });
    expect(original.plan.registry.unreachable).toBe(CLOSED);
    expect(extension.plan.registry.unreachable).toBeUndefined();
    expect(extension.plan.registry.networkCondition).toBeUndefined();
    expect(cardOf(extension)).not.toContain('"Network"');
    expect(cardOf(extension)).not.toContain('When this was requested');
  });
});

/**
 * The seeded grant made outside acrbot (AcrPull for aks-legacy's service principal on resource
 * group rg-shared, made by the sandbox's outsider) read through the real ARM client and the
 * emulator: `access CLUSTER`, `access REGISTRY` and the tab's matrix say when Azure made it and
 * by whom (its `createdOn` and `createdBy`), as the chat card does, and `check` in the same words.
 */
import type { AccessCell, RoleAssignmentPath } from '../../src/domain/access-inventory';
import {
  SANDBOX_OUTSIDE_GRANT,
  SANDBOX_REGISTRIES,
  SANDBOX_USERS,
  sandboxResourceId,
} from '../../src/sandbox/fixtures';
import { type Harness, startHarness, users } from '../helpers/harness';

function outsidePath(cells: AccessCell[]): RoleAssignmentPath | undefined {
  return cells
    .flatMap((c) => c.paths)
    .find(
      (p): p is RoleAssignmentPath =>
        p.kind === 'roleAssignment' && p.origin === 'outside' && p.assignmentId.endsWith(SANDBOX_OUTSIDE_GRANT.name),
    );
}

describe('a grant made outside acrbot, with who made it and when', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.stop());

  test('access CLUSTER, access REGISTRY and the matrix carry createdOn and createdBy', async () => {
    const inventory = h.app.services.inventory;
    for (const cells of [
      (await inventory.forCluster('aks-legacy')).cells,
      (await inventory.forRegistry(sandboxResourceId('registry', SANDBOX_REGISTRIES.sharedPlatform))).cells,
      (await inventory.matrix()).cells,
    ]) {
      const path = outsidePath(cells);
      expect(path?.madeOutside?.by).toBe(SANDBOX_USERS.outsider.objectId);
      expect(Number.isFinite(Date.parse(path?.madeOutside?.on ?? ''))).toBe(true);
    }
  });

  test('the chat card says it', async () => {
    const text = await h.ask(users.approver, 'access aks-legacy');
    expect(text).toMatch(
      new RegExp(
        `AcrPull on resource group rg-shared — granted outside acrbot on \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC by object id ${SANDBOX_USERS.outsider.objectId}`,
      ),
    );
  });

  test('check says it in the same words', async () => {
    const registry = sandboxResourceId('registry', SANDBOX_REGISTRIES.sharedPlatform);
    const text = await h.ask(users.approver, `check aks-legacy ${registry}`);
    expect(text).toMatch(
      new RegExp(
        `AcrPull on its resource group: granted outside acrbot on \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC by object id ${SANDBOX_USERS.outsider.objectId}\\.`,
      ),
    );
  });
});

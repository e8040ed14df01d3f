/**
 * `@acrbot grant contosoacr.azurecr.io` (the registry alone, as copied from an image name) starts
 * the questions with the registry filled in: the cluster question names it, the registry is not
 * asked again, and the request filed is for that registry. Before, the login server was refused
 * as an invalid cluster name and nothing was asked.
 */
import { type Harness, startHarness, users } from '../helpers/harness';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.stop();
});

/** Says `text` in a chat with acrbot; the texts of everything acrbot answered in that turn. */
const answers = (text: string) => h.turnReplies(users.requester, text, 'personal');

test('a login server alone: asked for the cluster, then the reason, and filed for that registry', async () => {
  const asked = await answers('grant contosoacr.azurecr.io --for 2h');
  expect(asked).toContain(
    'Which cluster needs pull access to contosoacr.azurecr.io? (name, resourceGroup/name or resource id; "cancel" to stop)',
  );
  expect(asked).not.toMatch(/cluster name|not a valid|Could not read/i);

  expect(await answers('aks-prod')).toMatch(/^Why is the access needed/);
  expect(await answers('deploys of payments fail')).toMatch(/Pending approval/);

  const [filed] = await h.app.store.listByState(['pending']);
  expect(filed.plan.cluster.name).toBe('aks-prod');
  expect(filed.plan.registry.name).toBe('contosoacr');
  expect(filed.access).toEqual({ durationMs: 2 * 3_600_000 });
});

test('the cluster question asked as before when no name was typed', async () => {
  expect(await answers('grant --for 2h')).toContain(
    'Which cluster needs pull access? (name, resourceGroup/name or resource id; "cancel" to stop)',
  );
});

test('re-asked at the cluster question, the registry already given is not said to come next: the reason is', async () => {
  await answers('grant contosoacr.azurecr.io --for 2h');
  const pasted = await answers('aks-prod contosoacr');
  expect(pasted).toContain('Type just "aks-prod"; the reason is asked next.');
  expect(pasted).not.toMatch(/registry (and the reason )?(is|are) asked next/);

  const swapped = await answers('fabrikamacr.azurecr.io');
  expect(swapped).toContain(
    'Cluster first: "fabrikamacr.azurecr.io" reads as a registry; this question takes the cluster (name, resourceGroup/name or resource id), and the reason is asked next.',
  );
  expect(swapped).not.toMatch(/registry (and the reason )?(is|are) asked next/);

  // Still the registry typed alone that the request is filed for.
  expect(await answers('aks-prod')).toMatch(/^Why is the access needed/);
  expect(await answers('deploys of payments fail')).toMatch(/Pending approval/);
  const [filed] = await h.app.store.listByState(['pending']);
  expect(filed.plan.registry.name).toBe('contosoacr');
});

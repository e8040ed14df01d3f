/**
 * A token secret's extension rotates: it makes a new token (and scope map, with repositories)
 * before it deletes the old ones, so it is checked at plan time against the registry's limits as
 * a new request is: full, it is refused before it is stored, in words an extension can follow (no
 * --kind sp); nearly full, its card says so. A `--kind sp` secret's extension makes no token and
 * is not counted. End to end: the emulated ARM, its paged listings, the test clock.
 */
import type { RegistryRecord } from '../../src/sandbox/arm/registries';
import { SANDBOX_APPROVAL_CHANNEL_ID, SANDBOX_REGISTRIES, sandboxResourceId } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { users } from '../helpers/harness';
import { advance, grantedSecretOnAksDev, h, requestExtension, useLifecycleHooks } from '../helpers/lifecycle';

const contosoId = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);
const MINUTE = 60_000;
const SECRET = 'aks-dev contosoacr --namespace payments --repositories team/app pull for payments';

useLifecycleHooks();

const registry = (): RegistryRecord => h.app.sandbox!.arm.state.getRegistry(contosoId)!;

/** Makes contosoacr Basic and holding `count` tokens (others' added to acrbot's own). */
function fillTokens(count: number): void {
  const r = registry();
  r.sku = 'Basic';
  for (let i = 0; r.tokens.size < count; i++)
    r.tokens.set(`other-${i}`, {
      id: `${r.id}/tokens/other-${i}`,
      name: `other-${i}`,
      scopeMapId: `${r.id}/scopeMaps/_repositories_pull`,
      status: 'enabled',
      creationDate: new Date().toISOString(),
      passwords: [],
    });
}

test('a full registry: the extension is refused before it is stored, with the extension’s way on', async () => {
  const { id } = await grantedSecretOnAksDev(SECRET);
  advance(MINUTE);
  fillTokens(100);
  const replies = await h.turnReplies(users.requester, `extend ${id} --for 60d still needed for payments`);
  expect(replies).toContain(
    'Registry contosoacr holds 100 of the 100 tokens its Basic SKU allows (100 on Basic, 500 on Standard, 50,000 on Premium), so Azure would refuse the new token this extension needs. Nothing was requested.',
  );
  expect(replies).toContain(
    'An extension makes its new token and scope map before it deletes the old ones, so the registry needs room for one more of each.',
  );
  expect(replies).not.toMatch(/--kind sp/);
  expect(await h.app.store.listByState(['pending'], 10)).toEqual([]);
});

test('a nearly full registry: the extension’s card says so, while pending', async () => {
  const { id } = await grantedSecretOnAksDev(SECRET);
  advance(MINUTE);
  fillTokens(92);
  const extensionId = await requestExtension(id, '--for 60d still needed for payments');
  // The approvers' copy as posted in the approvals channel (a card: the message mentioning its
  // approvers in its thread names the extension too), the only one.
  await h.connector.waitFor(
    (c) => c.conversationId === SANDBOX_APPROVAL_CHANNEL_ID && cardText(c.activity).includes(extensionId),
    10_000,
    "the extension's approvers' copy",
  );
  const approvers = h.connector.calls.filter(
    (c) =>
      c.op !== 'update' &&
      c.conversationId.startsWith(SANDBOX_APPROVAL_CHANNEL_ID) &&
      (c.activity.attachments?.length ?? 0) > 0 &&
      cardText(c.activity).includes(extensionId),
  );
  expect(approvers).toHaveLength(1);
  expect(cardText(approvers[0]!.activity)).toMatch(
    /registry contosoacr held 92 of the 100 tokens its Basic SKU allows/,
  );
});

test('a --kind sp secret’s extension makes no token: not counted, not refused', async () => {
  const { id } = await grantedSecretOnAksDev('aks-dev contosoacr --namespace payments --kind sp pull for payments');
  advance(MINUTE);
  fillTokens(100);
  const listed = () =>
    h.app.sandbox!.arm.requests.filter((r: { operation: string }) => r.operation === 'tokens.list').length;
  const before = listed();
  const extensionId = await requestExtension(id, '--for 60d still needed for payments');
  expect((await h.app.store.get(extensionId))!.state).toBe('pending');
  expect(listed()).toBe(before);
});

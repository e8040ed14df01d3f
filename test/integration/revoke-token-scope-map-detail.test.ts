/**
 * A revocation's entry says which parts of a `--kind token` credential it deleted: the token and
 * its scope map share their name, so the deletion names each part (`token x`, `scope map x`) and
 * the entry is worded from those, never from the bare name.
 */
import { advance, contosoId, grantedSecretOnAksDev, h, MINUTE, useLifecycleHooks } from '../helpers/lifecycle';

useLifecycleHooks();

/** The details of `id`'s `access.revoke.credential` entries but the `deleting` marks. */
async function details(id: string) {
  return (await h.app.audit.forRequest(id))
    .filter((e) => e.action === 'access.revoke.credential' && e.outcome !== 'deleting')
    .map((e) => [e.outcome, e.detail]);
}

async function revokedAtTheEnd(id: string) {
  advance(2 * MINUTE);
  await h.app.scheduler.runDue();
  expect((await h.app.store.get(id))!.state).toBe('revoked');
}

test('a token and its scope map, both there: both said deleted', async () => {
  const { id } = await grantedSecretOnAksDev(
    'aks-dev contosoacr --namespace payments --repositories team/app --for 2m pull for payments-api',
  );
  await revokedAtTheEnd(id);
  expect(await details(id)).toEqual([['deleted', 'token and scope map']]);
});

test('its scope map deleted outside acrbot: the token said deleted, the scope map not found', async () => {
  const { id } = await grantedSecretOnAksDev(
    'aks-dev contosoacr --namespace payments --repositories team/app --for 2m pull for payments-api',
  );
  h.app.sandbox!.arm.state.getRegistry(contosoId)!.scopeMaps.delete(`acrbot-${id.toLowerCase()}`);
  await revokedAtTheEnd(id);
  expect(await details(id)).toEqual([['deleted', 'token (its scope map was not found: deleted already)']]);
});

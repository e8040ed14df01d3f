/**
 * G14/G15: an extension whose secret someone deleted still retires the credential the secret
 * held. The cluster has no label left to say whose it was; acrbot's records do (the original, or
 * the latest extension that wrote the secret), and the `access.extended` entry says what was
 * actually retired. Two writes recorded in the same millisecond are ordered by the write that
 * recorded replacing the other's (lastFamilyWriter), not by the order the records are listed in.
 */
import {
  advance,
  extendApproved,
  grantedSecretOnAksDev,
  h,
  MINUTE,
  tokens,
  useLifecycleHooks,
} from '../helpers/lifecycle';

describe('extension of a secret someone deleted', () => {
  useLifecycleHooks();

  test("writes the secret anew and deletes the original's credential", async () => {
    const { id: first, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --for 1h pull for payments-api',
    );
    const [firstToken] = tokens();
    k8s.deleteObject('secrets', 'payments', 'acr-auth');
    advance(MINUTE);
    const ext = await extendApproved(first, '--for 2h still needed for payments');
    const extension = (await h.app.store.get(ext))!;
    expect(extension.state).toBe('succeeded');
    expect(extension.outcome?.secret?.action).toBe('created');
    expect(extension.outcome?.summary).toMatch(
      /The secret was no longer in the cluster and was written anew\. The credential it replaced was deleted\./,
    );
    // Only the extension's token is left; the secret names the extension.
    expect(tokens()).not.toContain(firstToken);
    expect(tokens()).toHaveLength(1);
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')?.metadata.labels?.['acrbot.io/request-id']).toBe(ext);
    const extended = (await h.app.audit.forRequest(first)).find((e) => e.action === 'access.extended');
    expect(extended?.detail).toMatch(
      new RegExp(`by ${ext} \\(new credential in the secret written anew; the old one, ${first}'s, deleted\\)$`),
    );
  });

  /**
   * The original granted, then an extension (`apart` later), the secret deleted, a second extension:
   * it must retire the first extension's credential (the one the secret held), not the original's.
   */
  async function secondExtensionRetiresFirst(apart: number) {
    const { id: first, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --for 1h pull for payments-api',
    );
    advance(apart);
    const ext1 = await extendApproved(first, '--for 2h still needed for payments');
    const afterFirst = tokens();
    expect(afterFirst).toHaveLength(1);
    k8s.deleteObject('secrets', 'payments', 'acr-auth');
    advance(MINUTE);
    const ext2 = await extendApproved(first, '--for 3h still needed for payments');
    expect((await h.app.store.get(ext2))!.state).toBe('succeeded');
    expect(tokens()).toHaveLength(1);
    expect(tokens()).not.toContain(afterFirst[0]);
    const extended = (await h.app.audit.forRequest(first)).filter((e) => e.action === 'access.extended');
    expect(extended.at(-1)?.detail).toMatch(new RegExp(`the old one, ${ext1}'s, deleted\\)$`));
    return { first, ext1 };
  }

  test('a second extension after the secret was deleted retires the first extension’s credential', async () => {
    await secondExtensionRetiresFirst(MINUTE);
  });

  test('the same, with the first extension’s write in the original’s millisecond: its record of replacing the original’s orders them', async () => {
    // The test clock stands still between the two writes.
    const { first, ext1 } = await secondExtensionRetiresFirst(0);
    const writtenAt = async (id: string) =>
      (await h.app.store.get(id))!.created?.findLast((o) => o.kind === 'pullSecret')?.recordedAt;
    expect(await writtenAt(ext1)).toBe(await writtenAt(first));
  });
});

/**
 * A requester asking again for a pull secret they already hold (the same cluster, namespace, name
 * and registry, their access live by acrbot's records): the request is kept and goes to the
 * approvers (a new request may replace a secret, docs/deploy.md), and its card says they hold the
 * secret already, until when, and that `extend` keeps it longer. Nobody else's request says so.
 * End to end: server, Kubernetes emulator, test clock.
 */
import { formatUtc } from '../../src/domain/access-term';
import { accessEnd } from '../../src/domain/access-end';
import { callsWithText, users } from '../helpers/harness';
import {
  advance,
  cardOf,
  extendApproved,
  h,
  MINUTE,
  requestExtension,
  second,
  secretApproved,
  start,
  useLifecycleHooks,
} from '../helpers/lifecycle';

const ARGS = 'aks-dev contosoacr --namespace payments --for 30d pull for payments-api';
const HELD = /The requester already holds this secret through (R-[0-9A-Z]{8}), until ([^;]+);/;

describe('a pull secret asked for again by the requester who holds it', () => {
  useLifecycleHooks();

  test('the request is kept; its card says until when they hold it and how to extend it instead', async () => {
    await start();
    const first = await secretApproved(users.requester, ARGS);
    const until = formatUtc(accessEnd((await h.app.store.get(first))!)!);
    advance(MINUTE);
    h.connector.clear();
    const { id } = await h.requestSecret(users.requester, ARGS);
    const request = (await h.app.store.get(id))!;
    expect(request.state).toBe('pending');
    expect(request.plan).toMatchObject({ replaces: { requestId: first }, replacesHeld: { requestId: first } });
    const line = `The requester already holds this secret through ${first}, until ${until}; to keep it longer, they can cancel this request and ask \\"@acrbot extend ${first} --for 30d REASON…\\". Approved, this request replaces it with a new credential, and ${first} ends.`;
    expect(await cardOf(id)).toContain(line);
    // The card the requester was sent, where they asked, says it (not only the approvers' copy).
    const where = request.origin.conversationId.split(';')[0];
    const sent = callsWithText(h.connector, HELD).map((c) => c.conversationId.split(';')[0]);
    expect(sent).toContain(where);

    // Decided: the line is gone with the wait.
    await h.click(users.approver, 'approve', { requestId: id });
    expect((await h.settle(id)).state).toBe('succeeded');
    expect(await cardOf(id)).not.toMatch(HELD);

    // Its extension's plan is a rotation of it: the note of access held before is not carried over.
    const extension = (await h.app.store.get(await requestExtension(id, '--for 60d still deploying')))!;
    expect(extension.plan).not.toHaveProperty('replacesHeld');
  });

  test('after an extension: the original is the one to extend, until its moved end', async () => {
    await start();
    const first = await secretApproved(users.requester, ARGS);
    advance(MINUTE);
    const extension = await extendApproved(first, '--for 60d still deploying');
    const until = formatUtc(accessEnd((await h.app.store.get(first))!)!);
    advance(MINUTE);
    const { id } = await h.requestSecret(users.requester, ARGS);
    const request = (await h.app.store.get(id))!;
    // The extension wrote the secret last; the access it holds is its original's.
    expect(request.plan).toMatchObject({ replaces: { requestId: extension }, replacesHeld: { requestId: first } });
    expect((await cardOf(id)).match(HELD)?.slice(1)).toEqual([first, until]);
  });

  test("someone else's request for it says nothing of holding it (its Replaces line says whose it is)", async () => {
    await start();
    const first = await secretApproved(users.requester, ARGS);
    const { id } = await h.requestSecret(second, ARGS);
    expect((await h.app.store.get(id))!.plan).toMatchObject({ replaces: { requestId: first } });
    expect(await cardOf(id)).not.toMatch(HELD);
  });

  test('an access being revoked is not offered for extending', async () => {
    await start();
    const first = await secretApproved(users.requester, ARGS);
    const held = (await h.app.store.get(first))!;
    await h.app.store.update({
      ...held,
      version: held.version + 1,
      access: { ...held.access, revokingSince: advance(0).toISOString() },
    });
    const { id } = await h.requestSecret(users.requester, ARGS);
    const request = (await h.app.store.get(id))!;
    expect(request.plan).toMatchObject({ replaces: { requestId: first } });
    expect(request.plan).not.toHaveProperty('replacesHeld');
    expect(await cardOf(id)).not.toMatch(HELD);
  });
});

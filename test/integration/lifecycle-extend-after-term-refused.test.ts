/**
 * G17 end to end, before any approval: a grant whose term has passed while its end job has yet to
 * run (the next sweep, a backoff, an instance that was down): asking to extend it — chat's
 * `extend`, a reminder's Extend clicked late — is refused with when it ended and that it is being
 * revoked, audited (`extend.refused`), and makes no extension request nor approval card (approval
 * would refuse it: lifecycle-extend-after-term.test.ts). Its end job then ends it as usual.
 * Through the real server and scheduler, on a test clock (the tab's Extend, whose tokens follow
 * the real time, is checked in test/unit/extend-after-term.test.ts).
 *
 * Needs AccessActions to be given the app's clock (src/composition/flows.ts).
 */
import { REQUEST_STATES } from '../../src/domain/request';
import { cardText } from '../helpers/capturing-connector';
import { users } from '../helpers/harness';
import { useLifecycleHooks, h, advance, start, MINUTE, grant, actions } from '../helpers/lifecycle';

describe('extending a grant whose term has passed, before its end job ran (G17)', () => {
  useLifecycleHooks();

  test('chat and a late reminder click are refused, audited; no extension is made; the end job ends it', async () => {
    await start();
    const mine = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
    advance(3 * MINUTE); // its term has passed; its end job has not run yet
    const ended = `The access of ${mine.id} ended at 2026-11-30 10:02 UTC and is being revoked, so there is nothing to extend`;

    expect(await h.ask(users.requester, `extend ${mine.id} --for 1h release still running`)).toContain(ended);
    const click = await h.click(users.requester, 'extend', {
      requestId: mine.id,
      duration: '1h',
      reason: 'release still running',
    });
    expect(cardText({ attachments: [{ content: click.body?.value }] })).toContain(ended);

    const extensions = (await h.app.store.listByRequester(users.requester.objectId, [...REQUEST_STATES])).filter(
      (r) => r.extendsRequestId === mine.id,
    );
    expect(extensions).toEqual([]);
    expect((await actions(mine.id)).filter((a) => a.startsWith('extend.refused'))).toEqual([
      'extend.refused:extend.notActive',
      'extend.refused:extend.notActive',
    ]);

    await h.app.scheduler.runDue();
    expect((await h.app.store.get(mine.id))!.state).toBe('revoked');
  });
});

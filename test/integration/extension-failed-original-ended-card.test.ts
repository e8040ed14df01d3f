/**
 * An approved extension whose original's access ended before its approval fails when it runs
 * (`extend.notActive`, access-lease.ts). Its requester's failed card sends them to a new request
 * of the same access, never back to `extend`, which that ended original now refuses. Through the
 * real server, executor and requester messages, on the test clock (shared steps:
 * test/helpers/lifecycle.ts).
 */
import { cardText } from '../helpers/capturing-connector';
import { users } from '../helpers/harness';
import {
  advance,
  approveAndRun,
  filedBeforeTheCut,
  grant,
  h,
  MINUTE,
  requestExtension,
  start,
  useLifecycleHooks,
} from '../helpers/lifecycle';

useLifecycleHooks();

test("an extension approved after its original's end fails, and its card asks for a new request, not extend", async () => {
  await start();
  const original = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
  const extensionId = await requestExtension(original.id, '--for 1h release still running');
  // Still pending past its original's end (filed before its wait was cut to that end, its end
  // job not run yet), and approved then: a decision written before the guards saw the end.
  await filedBeforeTheCut(extensionId);
  advance(3 * MINUTE);
  h.connector.clear();
  await (
    await approveAndRun(extensionId)
  ).done;

  expect(await h.settle(extensionId)).toMatchObject({ state: 'failed', outcome: { errorCode: 'extend.notActive' } });
  const card = await h.connector.waitFor(
    (c) =>
      c.op !== 'update' &&
      /The request failed/.test(cardText(c.activity)) &&
      cardText(c.activity).includes(extensionId),
    5000,
    `the outcome card of ${extensionId}`,
  );
  const text = cardText(card.activity);
  expect(text).toContain(`The access of ${original.id} ended at 2026-11-30 10:02 UTC`);
  expect(text).toContain(
    'If you still need the access, make a new request: "@acrbot grant aks-prod contosoacr --for 1h REASON…".',
  );
  expect(text).not.toContain('@acrbot extend');
});

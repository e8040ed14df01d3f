/**
 * An extension's term counts from when it is granted and must move the end later
 * (request-creation.ts): one that would end exactly at the current end changes nothing and is
 * refused, `extend.notLater`, audited; a millisecond more is asked of the approvers. Real memory
 * stores, a fake clock that stays still.
 */
import { isUserFacing } from '../../src/domain/errors';
import { breakGlassService } from './support/break-glass-service';
import { DAY, policy, rule, TENANT } from './support/policy-fixtures';
import { grantPlan, REQUESTER } from './support/requests';

test('an extension ending exactly at the current end is refused (extend.notLater); one a millisecond later waits', async () => {
  const t = breakGlassService({ policies: { current: () => policy([rule('prod')]) } });
  const original = await t.service.create({
    requester: REQUESTER,
    tenantId: TENANT,
    reason: 'deploy payments-api',
    plan: grantPlan(),
    origin: { conversationId: '19:general@thread.tacv2', conversationType: 'channel' },
    access: { durationMs: 7 * DAY },
  });
  await t.store.update({
    ...original,
    version: original.version + 1,
    state: 'succeeded',
    access: { durationMs: 7 * DAY, expiresAt: new Date(t.clock.now().getTime() + 7 * DAY).toISOString() },
  });
  const extend = (durationMs: number) =>
    t.service.create({
      requester: REQUESTER,
      tenantId: TENANT,
      reason: 'release slipped',
      plan: grantPlan(),
      origin: { conversationId: '19:general@thread.tacv2', conversationType: 'channel' },
      access: { durationMs },
      extendsRequestId: original.id,
    });

  const refused = await extend(7 * DAY).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(isUserFacing(refused) && refused.code).toBe('extend.notLater');
  expect((await t.audit.latest(1)).map((e) => e.action)).toEqual(['extend.refused.notLater']);
  expect((await t.store.listByState(['approved', 'pending'])).filter((r) => r.extendsRequestId)).toEqual([]);

  expect(await extend(7 * DAY + 1)).toMatchObject({ state: 'pending', extendsRequestId: original.id });
});

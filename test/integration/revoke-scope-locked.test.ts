/**
 * A resource lock (CanNotDelete) on a registry, its resource group or subscription makes ARM
 * refuse every delete under it with 409 ScopeLocked, acrbot's and an operator's by hand alike.
 * The revocation is retried and reported (G17) as before; the approvers' report now says a lock
 * blocks it and how to lift it, instead of advising a delete by hand that the lock refuses too.
 * A token secret's retries find the secret already deleted: that is audited once, not once per
 * attempt. Shared steps: test/helpers/lifecycle.ts.
 */
import { cardText } from '../helpers/capturing-connector';
import { users } from '../helpers/harness';
import {
  useLifecycleHooks,
  h,
  runDueAfter,
  MINUTE,
  contosoId,
  grantedSecretOnAksDev,
  actions,
  jobOf,
  start,
  grant,
  outcomeSent,
  tokens,
  assignmentsOn,
} from '../helpers/lifecycle';

const LOCKED = {
  status: 409,
  code: 'ScopeLocked',
  message:
    "The scope '/subscriptions/x/resourceGroups/rg-acr' cannot perform delete operation because following scope(s) are locked: '/subscriptions/x/resourceGroups/rg-acr/providers/Microsoft.Authorization/locks/keep'. Please remove the lock and try again.",
  count: Infinity,
};

/** The texts of the "Needs attention" reports sent so far. */
const reports = () => h.connector.calls.map((c) => cardText(c.activity)).filter((text) => /Needs attention/.test(text));

/** Waits for the report of attempt `n` and returns its text. */
async function reportOfAttempt(n: number): Promise<string> {
  const after = `after ${n} attempt${n === 1 ? '' : 's'}`;
  await h.connector.waitFor((c) => cardText(c.activity).includes(after), 5000, `the report ${after}`);
  return reports().find((text) => text.includes(after))!;
}

describe('a revocation blocked by a resource lock (409 ScopeLocked)', () => {
  useLifecycleHooks();

  test('token secret: retried, reported as a lock to remove (not "delete it by hand"), and the deleted secret audited once', async () => {
    const { id } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --for 2m pull for payments-api',
    );
    h.app.sandbox!.arm.faults.add({ operation: 'tokens.delete', ...LOCKED });
    h.connector.clear();

    await runDueAfter(2 * MINUTE);
    await runDueAfter(MINUTE);
    await runDueAfter(MINUTE);
    expect((await jobOf(`access.expire:${id}`))!.attempts).toBe(3);
    expect((await h.app.store.get(id))!.state).toBe('succeeded');
    expect(tokens()).toHaveLength(1);
    const report = await reportOfAttempt(3);
    expect(report).toContain('(last answer: 409 ScopeLocked)');
    expect(report).toContain(
      'A resource lock on the registry, its resource group or its subscription blocks the delete (Azure answered ScopeLocked)',
    );
    expect(report).toContain('remove the lock, or ask its owner to');
    expect(report).not.toContain('delete it in Azure by hand');
    // The secret went at the first attempt; the two retries found it absent, audited once.
    const secretSteps = (await actions(id)).filter((a) => a.startsWith('access.revoke.secret:'));
    expect(secretSteps).toEqual(['access.revoke.secret:deleted', 'access.revoke.secret:absent']);
  });

  test('grant: the role assignment delete refused by a lock is reported the same way', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
    await outcomeSent(request.id);
    h.app.sandbox!.arm.faults.add({ operation: 'roleAssignments.delete', ...LOCKED });
    h.connector.clear();

    await runDueAfter(2 * MINUTE);
    expect((await h.app.store.get(request.id))!.state).toBe('succeeded');
    expect(assignmentsOn(contosoId)).toHaveLength(1);
    const report = await reportOfAttempt(1);
    expect(report).toContain('blocks the delete (Azure answered ScopeLocked)');
    expect(report).not.toContain('delete it in Azure by hand');
  });
});

/**
 * G15 end to end, for every path that deletes a `--kind token` secret's token besides the
 * revocation (revoke-token-made-again.test.ts): a token deleted by hand and made again under the
 * same name (by a person, a script) is not acrbot's, although its name is. A rotation's retirement
 * of the token it replaced (at once, and by the clean-up job after a refused DELETE), the clean-up
 * job of a failed run, a failed run's own clean-up and the revocation's preview all compare Azure's
 * date with the one acrbot recorded, and leave such a token (and the scope map it may use) in
 * place, audited `notOurs`. Without a token made again, each deletes as before.
 */
import { cardText } from '../helpers/capturing-connector';
import { users } from '../helpers/harness';
import {
  advance,
  contosoId,
  extendApproved,
  grantedSecretOnAksDev,
  h,
  MINUTE,
  now,
  start,
  tokens,
  useLifecycleHooks,
} from '../helpers/lifecycle';

useLifecycleHooks();

const SECRET_ARGS = 'aks-dev contosoacr --namespace payments --repositories team/app --for 1h pull for payments-api';

const registry = () => h.app.sandbox!.arm.state.getRegistry(contosoId)!;

const tokenOf = (id: string) => `acrbot-${id.toLowerCase()}`;

/** Someone deletes the token `name` and makes one again under that name, which Azure dates `at`. */
function madeAgain(name: string, at: Date): void {
  expect(registry().tokens.delete(name)).toBe(true);
  registry().tokens.set(name, {
    id: `${contosoId}/tokens/${name}`,
    name,
    scopeMapId: `${contosoId}/scopeMaps/${name}`,
    status: 'enabled',
    creationDate: at.toISOString(),
    passwords: [],
  });
}

/** `outcome: detail` of the request's `credential.cleanup` entries. */
async function cleanupSteps(id: string): Promise<string[]> {
  return (await h.app.audit.forRequest(id))
    .filter((e) => e.action === 'credential.cleanup')
    .map((e) => `${e.outcome}: ${e.detail ?? ''}`);
}

/** What the entry of a token made again at `remadeAt` under `name` (acrbot's made at `created`) says. */
const leftDetail = (name: string, remadeAt: string, created: string) =>
  `acrbot's token is not there: a token under its name now (${name}), made ${remadeAt}, is not one acrbot's records vouch for (acrbot made its own ${created}); left in place for an operator (and acrbot's scope map ${name}, which it may use); nothing deleted`;

/** Every token DELETE ARM answers is refused until the faults are cleared. */
const refuseTokenDeletes = () =>
  h.app.sandbox!.arm.faults.add({
    operation: 'tokens.delete',
    status: 403,
    code: 'AuthorizationFailed',
    count: Infinity,
  });

/**
 * The refused DELETEs allowed again; then, when `remade` names a token, someone makes it again a
 * minute on; then the clean-up job runs. The date Azure gives the token made again ('' for none).
 */
async function cleanupJobRuns(remade?: string): Promise<string> {
  h.app.sandbox!.arm.faults.clear();
  advance(MINUTE);
  if (remade) madeAgain(remade, now);
  const remadeAt = remade ? now.toISOString() : '';
  advance(2 * MINUTE);
  await h.app.scheduler.runDue();
  return remadeAt;
}

describe("a rotation's retirement of the token it replaced", () => {
  test('made again before the rotation: the run leaves it and its scope map, audited notOurs', async () => {
    const { id } = await grantedSecretOnAksDev(SECRET_ARGS);
    const created = now.toISOString();
    advance(MINUTE);
    madeAgain(tokenOf(id), now);
    const remadeAt = now.toISOString();
    const extensionId = await extendApproved(id, '--for 1h rollout still running');
    expect(tokens().sort()).toEqual([tokenOf(id), tokenOf(extensionId)].sort());
    expect(registry().tokens.get(tokenOf(id))!.creationDate).toBe(remadeAt);
    expect(registry().scopeMaps.has(tokenOf(id))).toBe(true);
    expect(await cleanupSteps(extensionId)).toEqual([`notOurs: ${leftDetail(tokenOf(id), remadeAt, created)}`]);
    // The card says it was left, not deleted; nothing of acrbot's is left to delete.
    const { outcome } = (await h.app.store.get(extensionId))!;
    expect(outcome!.summary).toContain(`acrbot did not delete the credential of ${id}, which it replaced`);
    expect(outcome!.summary).not.toContain('The credential it replaced was deleted.');
    expect(outcome!.retired).toEqual({ requestId: id, credential: 'left' });
    expect(outcome!.retirement).toBeUndefined();
    // The extension's own entry says the same, not that no credential was acrbot's.
    const extended = (await h.app.audit.forRequest(id)).find((e) => e.action === 'access.extended');
    expect(extended?.detail).toContain(`the old one, ${id}'s, was not deleted: the token under its name is not`);
  });

  test('not made again: the run deletes it, as before', async () => {
    const { id } = await grantedSecretOnAksDev(SECRET_ARGS);
    advance(MINUTE);
    const extensionId = await extendApproved(id, '--for 1h rollout still running');
    expect(tokens()).toEqual([tokenOf(extensionId)]);
    expect((await cleanupSteps(extensionId)).map((s) => s.slice(0, s.indexOf(':')))).toEqual(['deleted']);
    const { outcome } = (await h.app.store.get(extensionId))!;
    expect(outcome!.summary).toContain('The credential it replaced was deleted.');
    expect(outcome!.retired).toEqual({ requestId: id, credential: 'deleted' });
  });

  test('its DELETE refused, then made again: the clean-up job leaves it, audited notOurs, and the outcome says so', async () => {
    const { id } = await grantedSecretOnAksDev(SECRET_ARGS);
    const created = now.toISOString();
    refuseTokenDeletes();
    advance(MINUTE);
    const extensionId = await extendApproved(id, '--for 1h rollout still running');
    expect((await h.app.store.get(extensionId))!.outcome!.retirement).toEqual({ requestId: id });
    const remadeAt = await cleanupJobRuns(tokenOf(id));
    expect(tokens()).toContain(tokenOf(id));
    expect(registry().tokens.get(tokenOf(id))!.creationDate).toBe(remadeAt);
    expect(registry().scopeMaps.has(tokenOf(id))).toBe(true);
    // The detail (and so the key) the rotation's run writes: one entry, whichever writes it.
    expect((await cleanupSteps(extensionId)).slice(-1)).toEqual([
      `notOurs: ${leftDetail(tokenOf(id), remadeAt, created)}`,
    ]);
    const outcome = (await h.app.store.get(extensionId))!.outcome!;
    expect(outcome.retirement).toBeUndefined();
    expect(outcome.retired).toEqual({ requestId: id, credential: 'left' });
    expect(outcome.summary).toContain(`acrbot did not delete the credential of ${id}, which it replaced`);
    expect(outcome.summary).not.toContain('was deleted on a later try');
    // A second run of the job finds the entry and writes nothing more.
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect((await cleanupSteps(extensionId)).filter((s) => s.startsWith('notOurs'))).toHaveLength(1);
  });

  test('its DELETE refused, not made again: the clean-up job deletes it, as before', async () => {
    const { id } = await grantedSecretOnAksDev(SECRET_ARGS);
    refuseTokenDeletes();
    advance(MINUTE);
    const extensionId = await extendApproved(id, '--for 1h rollout still running');
    await cleanupJobRuns();
    expect(tokens()).toEqual([tokenOf(extensionId)]);
    expect((await cleanupSteps(extensionId)).slice(-1)).toEqual([
      'deleted: the credential this request replaced, deleted after an earlier failure',
    ]);
  });
});

describe("a failed run's token", () => {
  /** A secret request whose write of the secret is refused, with `meanwhile` run as it is sent; failed. */
  async function failedRun(meanwhile: () => void = () => {}, { refuseDeletes = false } = {}): Promise<string> {
    await start();
    if (refuseDeletes) refuseTokenDeletes();
    h.app.sandbox!.kubernetes['aks-dev'].faults.inject({ verb: 'create', resource: 'secrets', status: 403, meanwhile });
    const { id } = await h.requestSecret(users.requester, SECRET_ARGS);
    await h.click(users.approver, 'approve', { requestId: id });
    const failed = await h.settle(id);
    expect(failed.state).toBe('failed');
    expect(failed.outcome!.cleanup).toBe(refuseDeletes ? 'pending' : 'deleted');
    return id;
  }

  test("made again while the run wrote its secret: the run's clean-up leaves it, audited notOurs", async () => {
    let remadeAt = '';
    const id = await failedRun(() => {
      const [name] = tokens();
      remadeAt = new Date(now.getTime() + MINUTE).toISOString();
      madeAgain(name!, new Date(remadeAt));
    });
    expect(tokens()).toEqual([tokenOf(id)]);
    expect(registry().tokens.get(tokenOf(id))!.creationDate).toBe(remadeAt);
    expect(registry().scopeMaps.has(tokenOf(id))).toBe(true);
    expect(await cleanupSteps(id)).toEqual([`notOurs: ${leftDetail(tokenOf(id), remadeAt, now.toISOString())}`]);
    // The error says it was left, not that nothing was created or that it was deleted.
    const { error } = (await h.app.store.get(id))!.outcome!;
    expect(error).toContain(`acrbot did not delete the token now under the name ${tokenOf(id)}`);
    expect(error).not.toMatch(/Nothing was created|was deleted again/);
  });

  test("not made again: the run's clean-up deletes it, as before", async () => {
    const id = await failedRun();
    expect(tokens()).toEqual([]);
    expect((await cleanupSteps(id)).map((s) => s.slice(0, s.indexOf(':')))).toEqual(['deleted']);
    expect((await h.app.store.get(id))!.outcome!.error).toContain('acrbot had created was deleted again.');
  });

  test('its DELETE refused, then made again: the clean-up job leaves it, audited notOurs, and the error says so', async () => {
    const created = now.toISOString();
    const id = await failedRun(undefined, { refuseDeletes: true });
    const remadeAt = await cleanupJobRuns(tokenOf(id));
    expect(tokens()).toEqual([tokenOf(id)]);
    expect(registry().tokens.get(tokenOf(id))!.creationDate).toBe(remadeAt);
    expect(registry().scopeMaps.has(tokenOf(id))).toBe(true);
    expect((await cleanupSteps(id)).slice(-1)).toEqual([`notOurs: ${leftDetail(tokenOf(id), remadeAt, created)}`]);
    const stored = (await h.app.store.get(id))!;
    expect(stored.outcome!.cleanup).toBe('deleted');
    expect(stored.outcome!.error).toContain('acrbot did not delete the credential it had created');
  });

  test('its DELETE refused, not made again: the clean-up job deletes it, as before', async () => {
    const id = await failedRun(undefined, { refuseDeletes: true });
    await cleanupJobRuns();
    expect(tokens()).toEqual([]);
    expect((await cleanupSteps(id)).slice(-1)).toEqual(['deleted: retried after an earlier failure']);
  });
});

describe("the revocation's preview", () => {
  /** The text of the confirmation card the requester gets for `revoke <id>`. */
  async function previewCard(id: string): Promise<string> {
    h.connector.clear();
    await h.say(users.requester, `revoke ${id} done early`);
    const card = await h.connector.waitFor(
      (c) => c.op !== 'update' && /Revoke R-/.test(cardText(c.activity)),
      5000,
      'revoke confirmation card',
    );
    return cardText(card.activity);
  }

  test('made again: the token and its scope map are shown kept, not deleted', async () => {
    const { id } = await grantedSecretOnAksDev(SECRET_ARGS);
    advance(MINUTE);
    madeAgain(tokenOf(id), now);
    const text = await previewCard(id);
    expect(text).toContain(`made ${now.toISOString()}, is not one acrbot's records vouch for`);
    expect(text).toContain(`Keep ACR token ${tokenOf(id)} on contosoacr: a token under its name now`);
    expect(text).toContain(`Keep scope map ${tokenOf(id)}: the token now under acrbot's token's name may use it`);
    expect(text).not.toContain('Delete ACR token');
    expect(text).not.toContain('Delete scope map');
  });

  test('not made again: the token is shown deleted, as before', async () => {
    const { id } = await grantedSecretOnAksDev(SECRET_ARGS);
    const text = await previewCard(id);
    expect(text).toContain(`Delete ACR token ${tokenOf(id)} on contosoacr`);
    expect(text).toContain(`Delete scope map ${tokenOf(id)}`);
    expect(text).not.toContain('Keep ACR token');
  });
});

/**
 * G15 end to end: a `--kind token` secret's token deleted by hand and made again under the same
 * name (by a person, a script) is not acrbot's, although its name is. The run records when Azure
 * made acrbot's token (ARM's `creationDate`, in the outcome's `credentialRef`), and the revocation
 * deletes only a token Azure dates so: another is left in place for an operator, on a first
 * attempt and on a retry after an attempt stopped between its `deleting` mark and its DELETE.
 * A request recorded by a release before the date was kept is revoked by the name, as before.
 */
import type { AuditEvent } from '../../src/domain/audit-chain';
import { cardText } from '../helpers/capturing-connector';
import {
  advance,
  contosoId,
  grantedSecretOnAksDev,
  h,
  MINUTE,
  now,
  tokens,
  useLifecycleHooks,
} from '../helpers/lifecycle';

useLifecycleHooks();

const SECRET_ARGS = 'aks-dev contosoacr --namespace payments --repositories team/app --for 2m pull for payments-api';

const registry = () => h.app.sandbox!.arm.state.getRegistry(contosoId)!;

/** The "Needs attention" reports sent to the approvers since the last `h.connector.clear()`. */
const reports = () => h.connector.calls.map((c) => cardText(c.activity)).filter((text) => /Needs attention/.test(text));

/** `outcome: detail` of the request's `access.revoke.credential` entries. */
async function credentialSteps(id: string): Promise<string[]> {
  return (await h.app.audit.forRequest(id))
    .filter((e) => e.action === 'access.revoke.credential')
    .map((e) => `${e.outcome}: ${e.detail ?? ''}`);
}

/** The secret request `id`, its token's name and scope map's, and the date its outcome recorded for the token. */
async function granted() {
  const { id } = await grantedSecretOnAksDev(SECRET_ARGS);
  const tokenName = `acrbot-${id.toLowerCase()}`;
  const recorded = JSON.parse((await h.app.store.get(id))!.outcome!.credentialRef!) as { creationDate?: string };
  // As ARM answered the create: the emulator dates it by the test clock, as acrbot's records are.
  expect(recorded.creationDate).toBe(now.toISOString());
  expect(registry().tokens.get(tokenName)!.creationDate).toBe(recorded.creationDate);
  return { id, tokenName, created: recorded.creationDate! };
}

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

/** The request as a release before the token's date was kept stored it: no date in its outcome. */
async function recordedByAnOlderRelease(id: string): Promise<void> {
  const stored = (await h.app.store.get(id))!;
  const { creationDate, ...ref } = JSON.parse(stored.outcome!.credentialRef!) as Record<string, unknown>;
  expect(creationDate).toBeDefined();
  await h.app.store.update({
    ...stored,
    version: stored.version + 1,
    outcome: { ...stored.outcome!, credentialRef: JSON.stringify(ref) },
  });
}

/**
 * The `deleting` mark of `requestId`'s credential is stored, then the attempt stops before its
 * DELETE is sent, as a process killed between the two.
 */
function stopAfterMark(requestId: string): void {
  const audit = h.app.stores.audit;
  const append = audit.append.bind(audit);
  let stop = true;
  audit.append = async (event: AuditEvent) => {
    const stored = await append(event);
    if (
      stop &&
      event.requestId === requestId &&
      event.action === 'access.revoke.credential' &&
      event.outcome === 'deleting'
    ) {
      stop = false;
      throw new Error('killed after the mark, before the DELETE');
    }
    return stored;
  };
}

test("made again before the revocation: not deleted, nor acrbot's scope map it may use; audited notOurs and reported once", async () => {
  const { id, tokenName, created } = await granted();
  advance(MINUTE);
  madeAgain(tokenName, now);
  const remadeAt = now.toISOString();
  h.connector.clear();
  advance(MINUTE);
  await h.app.scheduler.runDue();
  expect((await h.app.store.get(id))!.state).toBe('revoked');
  expect(tokens()).toEqual([tokenName]);
  expect(registry().tokens.get(tokenName)!.creationDate).toBe(remadeAt);
  expect(registry().scopeMaps.has(tokenName)).toBe(true);
  // No `deleting` mark: nothing was about to be deleted.
  expect(await credentialSteps(id)).toEqual([
    `notOurs: acrbot's token is not there: a token under its name now (${tokenName}), made ${remadeAt}, is not one acrbot's records vouch for (acrbot made its own ${created}); left in place for an operator (and acrbot's scope map ${tokenName}, which it may use); nothing deleted`,
  ]);
  expect(reports()).toEqual([
    expect.stringContaining(
      `The revocation of ${id} found a token named ${tokenName} on contosoacr that is not the one acrbot made for it: Azure dates it ${remadeAt}, acrbot recorded ${created} for its own.`,
    ),
  ]);
});

test('made again, and the revocation retried after its cluster step failed: reported once, deleted by no attempt', async () => {
  const { id, tokenName } = await granted();
  advance(MINUTE);
  madeAgain(tokenName, now);
  // The API server cannot be reached: the revocation's cluster step fails, and it is retried.
  const unreachable = h.app.sandbox!.kubernetes['aks-dev'].faults.inject({ drop: true, times: Infinity });
  h.connector.clear();
  advance(MINUTE);
  await h.app.scheduler.runDue();
  expect((await h.app.store.get(id))!.state).toBe('succeeded');
  // The report of the revocation that is not done says what is true: acrbot deleted no credential
  // (the token under its name is not acrbot's), not "acrbot deleted the credential … so it no
  // longer signs in" and "the access has ended", and what to do meanwhile.
  // A retry that fails again (it reads the first attempt's notOurs entry) says the same.
  advance(2 * MINUTE);
  await h.app.scheduler.runDue();
  expect((await h.app.store.get(id))!.state).toBe('succeeded');
  const failing = reports().filter((text) => text.includes('Revoking the access is not done'));
  expect(failing).toHaveLength(2);
  for (const report of failing) {
    expect(report).toContain(
      `acrbot deleted no credential of pull secret payments/acr-auth: the ACR token ${tokenName} on registry contosoacr is not the one acrbot made (audit log: access.revoke.credential, notOurs), so acrbot left it in place for an operator to check, and to delete if nobody needs it. acrbot cannot confirm the access ended: if that token is acrbot's own after all, the secret still signs in. To end the access at once, delete by hand the secret itself in cluster aks-dev`,
    );
    expect(report).not.toMatch(/acrbot deleted the credential|has ended already/);
  }
  unreachable();
  advance(2 * MINUTE);
  await h.app.scheduler.runDue();
  expect((await h.app.store.get(id))!.state).toBe('revoked');
  expect(tokens()).toEqual([tokenName]);
  // The scope map the other token may use stays too.
  expect(registry().scopeMaps.has(tokenName)).toBe(true);
  const retried =
    "absent: not there when an earlier attempt of this revocation looked (the token under its name was not acrbot's, left for an operator); nothing deleted";
  expect(await credentialSteps(id)).toEqual([expect.stringMatching(/^notOurs: /), retried, retried]);
  expect(reports().filter((text) => text.includes(`a token named ${tokenName}`))).toHaveLength(1);
});

test('made again after an attempt stopped between its mark and its DELETE, dated before the mark (a clock behind): not deleted', async () => {
  const { id, tokenName, created } = await granted();
  stopAfterMark(id);
  advance(2 * MINUTE);
  await h.app.scheduler.runDue();
  // acrbot's token is still there: the attempt stopped before its DELETE.
  expect(registry().tokens.get(tokenName)!.creationDate).toBe(created);
  expect((await h.app.store.get(id))!.state).toBe('succeeded');
  // Deleted by hand and made again, Azure dating it a little before acrbot's mark: the mark
  // alone would take it for acrbot's token.
  const remadeAt = new Date(now.getTime() - 30_000).toISOString();
  madeAgain(tokenName, new Date(remadeAt));
  h.connector.clear();
  advance(2 * MINUTE);
  await h.app.scheduler.runDue();
  expect((await h.app.store.get(id))!.state).toBe('revoked');
  expect(tokens()).toEqual([tokenName]);
  expect(registry().tokens.get(tokenName)!.creationDate).toBe(remadeAt);
  expect(registry().scopeMaps.has(tokenName)).toBe(true);
  expect(await credentialSteps(id)).toEqual([
    expect.stringMatching(/^deleting: /),
    `alreadyDeleted: deleted by an earlier attempt of this revocation whose record was cut short (it had begun deleting it); nothing deleted again; a token under its name now (${tokenName}), made ${remadeAt}, is not one acrbot's records vouch for (acrbot made its own ${created}): left in place for an operator`,
  ]);
  expect(reports()).toEqual([
    expect.stringContaining(`Azure dates it ${remadeAt}, acrbot recorded ${created} for its own.`),
  ]);
});

test("made again after the mark's attempt, its own token still dated as recorded: the retry deletes acrbot's", async () => {
  const { id, tokenName } = await granted();
  stopAfterMark(id);
  advance(2 * MINUTE);
  await h.app.scheduler.runDue();
  expect(tokens()).toEqual([tokenName]);
  advance(2 * MINUTE);
  await h.app.scheduler.runDue();
  expect((await h.app.store.get(id))!.state).toBe('revoked');
  expect(tokens()).toEqual([]);
  expect((await credentialSteps(id)).map((s) => s.slice(0, s.indexOf(':')))).toEqual(['deleting', 'deleted']);
});

describe('a request recorded by a release before the date was kept', () => {
  test('made again before the revocation: deleted by its name, as before', async () => {
    const { id, tokenName } = await granted();
    await recordedByAnOlderRelease(id);
    advance(MINUTE);
    madeAgain(tokenName, now);
    advance(MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect(tokens()).toEqual([]);
    expect((await credentialSteps(id)).map((s) => s.slice(0, s.indexOf(':')))).toEqual(['deleting', 'deleted']);
  });

  test('made again after a stopped attempt, dated before its mark: the retry deletes it by the mark alone, as before', async () => {
    const { id, tokenName } = await granted();
    await recordedByAnOlderRelease(id);
    stopAfterMark(id);
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    madeAgain(tokenName, new Date(now.getTime() - 30_000));
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect(tokens()).toEqual([]);
    expect((await credentialSteps(id)).map((s) => s.slice(0, s.indexOf(':')))).toEqual(['deleting', 'deleted']);
  });
});

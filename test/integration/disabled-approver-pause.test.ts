/**
 * G5 for the pause of new access: an approver whose own account was disabled or deleted in Entra
 * since (named by the rule, or a member of its group: Graph's checkMemberGroups answers alike for
 * a disabled account) neither pauses nor resumes new access from an old card or a chat command
 * (docs/policy.md). Responders who disable a compromised approver and pause acrbot must not see
 * that account's live Teams session lift the pause. Refused, audited, nothing changed. The read of
 * the account fails a resume (it reopens access) when Graph is down, but not a pause (it only
 * stops access), whose audit entry says so. The service is wired as composition/flows.ts wires it,
 * over GraphDirectory and the Graph emulator (HTTPS), as in disabled-approver-clicks.test.ts.
 */
import { UserFacingError, UserFacingOutageError } from '../../src/domain/errors';
import type { PolicyRule } from '../../src/domain/policy';
import type { Actor } from '../../src/domain/request';
import { AccessPauseService } from '../../src/flows/access-pause';
import { ApproverAuthority } from '../../src/flows/approver-authority';
import { resetUnreadNamedWarning } from '../../src/flows/approver-groups-read';
import type { GraphClient } from '../../src/integrations/graph/graph-client';
import { GraphDirectory } from '../../src/integrations/graph/graph-directory';
import { MemoryPauseStore } from '../../src/integrations/store/memory-pause-store';
import { withCorrelation } from '../../src/observability/correlation';
import type { Sandbox } from '../../src/sandbox/sandbox';
import { graphRequestService } from '../helpers/graph-request-service';
import { deleteAccount, directoryIds, disableAccount, useSandboxGraph } from '../helpers/sandbox-graph';
import { policy, rule, settings, TENANT } from '../unit/support/policy-fixtures';

let sandbox: Sandbox;
let graph: GraphClient;

useSandboxGraph((started) => {
  ({ sandbox, graph } = started);
});

afterEach(() => resetUnreadNamedWarning());

const newId = directoryIds(900);

const disable = (who: Actor) => disableAccount(sandbox, who);
const remove = (who: Actor) => deleteAccount(sandbox, who);
const graphDown = () =>
  sandbox.graph.faults.add({ operation: 'users.list', status: 503, count: Infinity, headers: { 'Retry-After': '0' } });

/** Alex and Bea, enabled approvers (named by the rule, or members of its group), and the pause service. */
function setup(viaGroup = false) {
  const people: Actor[] = ['Alex', 'Bea'].map((name) => ({ objectId: newId(), name: `${name} Approver` }));
  for (const p of people) sandbox.directory.addUser({ id: p.objectId, displayName: p.name });
  const group = newId();
  sandbox.directory.addGroup({ id: group, displayName: 'approvers', members: people.map((p) => p.objectId) });
  const approvers = viaGroup
    ? { users: [], groups: [group], name: 'Group approvers' }
    : { users: people.map((p) => p.objectId), groups: [], name: 'Named approvers' };
  const theRule: PolicyRule = rule('prod', { approvers });
  const t = graphRequestService(graph, theRule);
  const store = new MemoryPauseStore();
  const authority = new ApproverAuthority(new GraphDirectory(graph), t.clock, settings, t.log, {
    current: () => policy([theRule]),
  });
  const pauses = new AccessPauseService(
    store,
    t.audit,
    t.clock,
    (actor) => t.service.isApprover(actor),
    t.log,
    (event) => t.service.recordRefusal(event),
    (actor, click) => authority.accountStandingNow(actor, undefined, click),
  );
  const as = (actor: Actor) => ({ actor, tenantId: TENANT });
  const actions = async () => (await t.audit.latest(20)).map((e) => e.action);
  return { ...t, people, store, pauses, as, actions };
}

describe('an approver whose account was disabled or deleted since', () => {
  test.each([false, true])('lifts no pause from an old Resume card (via a group: %s)', async (viaGroup) => {
    const t = setup(viaGroup);
    const [alex, bea] = t.people;
    const { pause } = await t.pauses.pause(t.as(bea), 'approver Alex compromised, investigating');
    disable(alex);

    const err = await t.pauses.resume(t.as(alex), 'all clear', pause).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserFacingError);
    expect(err).toMatchObject({
      code: 'resume.disabledOrGone',
      message:
        'Your account is disabled or gone from the directory, so you can no longer resume new access as an approver; nothing was changed.',
    });
    expect(await t.store.current()).toEqual(pause);
    expect(await t.actions()).toEqual(['access.paused', 'access.resume.refused.disabledOrGone']);
    // Nor is the confirmation card's question answered yes (a typed "resume").
    await expect(t.pauses.mustBeApprover(t.as(alex), 'resume')).rejects.toMatchObject({
      code: 'resume.disabledOrGone',
    });
    // Bea, enabled, still lifts it.
    expect(await t.pauses.resume(t.as(bea), undefined, pause)).toEqual(pause);
    expect(await t.store.current()).toBeUndefined();
  });

  test('deleted, neither pauses nor resumes', async () => {
    const t = setup();
    const [alex, bea] = t.people;
    remove(alex);

    await expect(t.pauses.pause(t.as(alex), 'stopping everything')).rejects.toMatchObject({
      code: 'pause.disabledOrGone',
      message:
        'Your account is disabled or gone from the directory, so you can no longer pause new access as an approver; nothing was changed.',
    });
    expect(await t.store.current()).toBeUndefined();
    const { pause } = await t.pauses.pause(t.as(bea), 'incident 42, investigating');
    await expect(t.pauses.resume(t.as(alex), undefined, pause)).rejects.toMatchObject({
      code: 'resume.disabledOrGone',
    });
    expect(await t.store.current()).toEqual(pause);
    expect(await t.actions()).toEqual([
      'access.pause.refused.disabledOrGone',
      'access.paused',
      'access.resume.refused.disabledOrGone',
    ]);
  });
});

describe("the approver's account unread", () => {
  test('Graph down (503): a resume fails with its reference and lifts nothing', async () => {
    const t = setup();
    const [alex] = t.people;
    const { pause } = await t.pauses.pause(t.as(alex), 'incident 42, investigating');
    graphDown();

    const err = await withCorrelation(() => t.pauses.resume(t.as(alex), undefined, pause), 'ref-resume-1').catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserFacingOutageError);
    expect(err).toMatchObject({
      code: 'directory.approversUnread',
      message: expect.stringMatching(
        /could not be read to check that your account is still enabled, so the pause was not lifted; try again in a few minutes \(reference ref-resume-1\)\.$/,
      ),
    });
    expect(await t.store.current()).toEqual(pause);
    expect(await t.actions()).toEqual(['access.paused']);
  });

  test('Graph down (503): a pause goes on, its audit entry saying the account was not read; warned', async () => {
    const t = setup();
    const [alex] = t.people;
    graphDown();

    const { applied, pause } = await t.pauses.pause(t.as(alex), 'incident 42, investigating');
    expect(applied).toBe(true);
    expect(await t.store.current()).toEqual(pause);
    expect(pause.reason).toBe('incident 42, investigating');
    const entry = (await t.audit.latest(5)).find((e) => e.action === 'access.paused');
    expect(entry?.detail).toBe(
      "incident 42, investigating (the approver's account could not be read in the directory to check that it is still enabled)",
    );
    expect(t.lines.filter((l) => String(l.msg).includes("an approver's account could not be read at a click"))).toEqual(
      [expect.objectContaining({ level: 40, msg: expect.stringContaining('a pause of new access') })],
    );
  });

  test('refused (403, no User.Read.All): a resume goes on unchecked, as other clicks do', async () => {
    const t = setup();
    const [alex] = t.people;
    const { pause } = await t.pauses.pause(t.as(alex), 'incident 42, investigating');
    disable(alex);
    sandbox.graph.faults.add({ operation: 'users.list', status: 403, code: 'Authorization_RequestDenied', count: 1 });

    expect(await t.pauses.resume(t.as(alex), undefined, pause)).toEqual(pause);
    expect(await t.store.current()).toBeUndefined();
  });
});

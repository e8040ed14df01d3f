/**
 * The net for half-done decisions (review-reject-net.ts) never races a live Reject: a click slow
 * between its review's entry and its revocation (a slow store; nothing stopped) while a start or
 * drift check elsewhere runs the net is left to finish its own review. One revocation is asked
 * for, no operator is warned of a stopped process, and a second click meanwhile is told only
 * that the request was decided, not that it finished anything.
 *
 * The slow click is held at its `access.revoke.requested` write; the net's pass runs then. One
 * sandbox, one Bot Connector, a SQLite file in a temporary directory.
 */
import { join } from 'node:path';
import { SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { type Sandbox, startSandbox } from '../../src/sandbox/sandbox';
import { breakGlassPolicyYaml, writePolicyFile } from '../helpers/break-glass-policy';
import { CapturingConnector, cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import type { TeamsUser } from '../helpers/teams-activities';
import { TempDirs } from '../helpers/temp-dirs';

const olive = SANDBOX_USERS.oncall as TeamsUser;
const now = new Date('2026-11-30T10:00:00Z');
const clock = { now: () => now };
const tempDirs = new TempDirs();
let sandbox: Sandbox | undefined;
let connector: CapturingConnector | undefined;
let h: Harness | undefined;
/** A second instance on the same store, sandbox and connector. */
let other: Harness | undefined;
let env: Record<string, string> = {};

beforeEach(async () => {
  sandbox = await startSandbox();
  connector = new CapturingConnector();
  await connector.start();
  const dir = tempDirs.make('acrbot-bg-reject-race-');
  env = {
    ACRBOT_POLICY: writePolicyFile(dir, breakGlassPolicyYaml()),
    ACRBOT_STORAGE: `sqlite:${join(dir, 'acrbot.db')}`,
  };
  h = await startHarness(env, { clock, sandbox, sweepIntervalMs: 0 }, { connector });
  // The start's own pass (not awaited by the start) is done before the test begins.
  await h.app.services.requests.finishStoredDecisions();
});

afterEach(async () => {
  jest.restoreAllMocks();
  try {
    await other?.stop();
    await h?.stop();
    await sandbox?.stop();
    await connector?.stop();
  } finally {
    h = other = sandbox = connector = undefined;
    tempDirs.removeAll();
  }
});

/** Alex rejects `id` from its card on `on`; the card's text answered. */
async function reject(id: string, comment: string, on = h!): Promise<string> {
  const res = await on.click(users.approver, 'reject', { requestId: id, comment });
  return cardText({ attachments: [{ content: res.body?.value }] });
}

test('a Reject slow before its revocation while the net runs elsewhere asks for the revocation once', async () => {
  const request = await h!.requestGrant(olive, 'aks-prod contosoacr --break-glass prod is down, image pull failing');
  expect((await h!.settle(request.id)).state).toBe('succeeded');
  const audit = h!.app.audit;
  const append = audit.append.bind(audit);
  let reached!: () => void;
  const atRevoke = new Promise<void>((resolve) => (reached = resolve));
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let first = true;
  jest.spyOn(audit, 'append').mockImplementation(async (event) => {
    if (event.action === 'access.revoke.requested' && first) {
      first = false;
      reached();
      await held; // the live click is slow here; nothing stopped
    }
    return append(event);
  });

  const click = reject(request.id, 'not an emergency');
  await atRevoke;
  // Another instance starts (its net's pass), and a click on the card reaches it, meanwhile.
  other = await startHarness(env, { clock, sandbox, sweepIntervalMs: 0 }, { connector: connector! });
  await other.app.services.requests.finishStoredDecisions();
  const second = await reject(request.id, 'again', other);
  release();
  await click;
  await h!.app.services.executor.drain();

  expect((await h!.app.store.get(request.id))!.state).toBe('revoked');
  const entries = await h!.app.audit.forRequest(request.id);
  expect(entries.filter((e) => e.action === 'breakglass.review.rejected')).toHaveLength(1);
  expect(entries.filter((e) => e.action === 'access.revoke.requested')).toEqual([
    expect.objectContaining({ actor: expect.objectContaining({ objectId: SANDBOX_USERS.approver.objectId }) }),
  ]);
  expect(second).not.toContain('your click finished it');
  expect(entries.filter((e) => /finished what that review left undone/.test(e.detail ?? ''))).toEqual([]);
  for (const instance of [h!, other])
    expect(instance.logs.entries().filter((e) => /left half done/.test(String(e.msg)))).toEqual([]);
});

/**
 * The steps the lifecycle-*.test.ts files share (G17 end to end, split by theme so the files run
 * in parallel): the bot started with a test clock, grants, secrets and extensions made through
 * chat, and hooks that hold an extension's run at a chosen point. Jest gives each test file its
 * own copy of this module, so `h` and `now` belong to the file that imports them.
 */
import type { AccessRequest } from '../../src/domain/request';
import { transition } from '../../src/domain/request';
import { currentCorrelationId } from '../../src/observability/correlation';
import { SANDBOX_REGISTRIES, SANDBOX_USERS, sandboxResourceId } from '../../src/sandbox/fixtures';
import { requestCard } from '../../src/views/request-view';
import { cardText } from './capturing-connector';
import { type Harness, startHarness, users } from './harness';
import type { TeamsUser } from './teams-activities';

/** The contosoacr registry's resource id. */
export const contosoId = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);
export const MINUTE = 60_000;
export const DAY = 24 * 60 * MINUTE;
/** A second requester (the sandbox outsider, named for these tests). */
export const second: TeamsUser = { ...SANDBOX_USERS.outsider, name: 'Sam Second' } as TeamsUser;

/** The bot of the running test (set by {@link start}). */
export let h: Harness;
/** The test clock's time: 2026-11-30 10:00 UTC at the start of every test; moved by {@link advance}. */
export let now: Date;
const clock = { now: () => now };

/** Moves the test clock on by `ms`. */
export function advance(ms: number): Date {
  return (now = new Date(now.getTime() + ms));
}

/** Moves the test clock on by `ms` and runs what is due, waiting for the messages it sends. */
export async function runDueAfter(ms: number): Promise<void> {
  advance(ms);
  await h.app.scheduler.runDue();
  await h.app.services.background.drain();
}

/** Every "Expired and revoked" notice sent to the requester so far (not card updates). */
export const endNotices = () =>
  h.connector.calls.filter((c) => c.op !== 'update' && /Expired and revoked/.test(cardText(c.activity)));

/** Sets the test clock to `at`. */
export function setNow(at: Date): void {
  now = at;
}

/** Runs a test holds (approveAndHoldAfterItsCheck): let go before stopping, also when the test failed while holding. */
const heldRuns: Array<() => void> = [];

/** Registers the hooks every lifecycle test needs: the clock reset before, held runs let go and the bot stopped after. */
export function useLifecycleHooks(): void {
  beforeEach(() => {
    now = new Date('2026-11-30T10:00:00Z');
  });
  afterEach(async () => {
    for (const letGo of heldRuns.splice(0)) letGo();
    await h?.stop();
  });
}

/** Starts the bot with the test clock, one-minute terms allowed, no reminders, and short job backoff. */
export async function start(env: Record<string, string> = {}): Promise<void> {
  h = await startHarness(
    { ACRBOT_MIN_ACCESS_DURATION: '1m', ACRBOT_EXPIRY_REMINDERS: 'none', ...env },
    { clock, jobBackoffMs: [MINUTE, MINUTE], jobReportAfterAttempts: 1 },
  );
}

/** The role assignments on `scope` in the sandbox's Azure state. */
export function assignmentsOn(scope: string) {
  return h.app
    .sandbox!.arm.state.listRoleAssignments()
    .filter((a: { scope: string }) => a.scope.toLowerCase() === scope.toLowerCase());
}

/** Requests a grant as `user` and has the approver approve it; it succeeded. */
export async function grant(user: TeamsUser, args: string): Promise<AccessRequest> {
  const request = await h.requestGrant(user, args);
  await h.click(users.approver, 'approve', { requestId: request.id });
  const done = await h.settle(request.id);
  expect(done.state).toBe('succeeded');
  return done;
}

/** Waits for the outcome message of `id` (sent after the store says "succeeded", so it can come late). */
export async function outcomeSent(id: string): Promise<void> {
  await h.connector.waitFor(
    (c) => c.op !== 'update' && /Pull access granted/.test(cardText(c.activity)) && cardText(c.activity).includes(id),
    5000,
    `the outcome of ${id}`,
  );
}

/** Starts the bot, has the requester ask for a pull secret on aks-dev and the approver approve it; it succeeded. */
export async function grantedSecretOnAksDev(args: string) {
  await start();
  const k8s = h.app.sandbox!.kubernetes['aks-dev'];
  h.connector.clear();
  const { id } = await h.requestSecret(users.requester, args);
  await h.click(users.approver, 'approve', { requestId: id });
  expect((await h.settle(id)).state).toBe('succeeded');
  return { id, k8s };
}

/** `user` asks for a pull secret and the approver approves it; it succeeded. Its id. */
export async function secretApproved(user: TeamsUser, args: string): Promise<string> {
  const { id } = await h.requestSecret(user, args);
  await h.click(users.approver, 'approve', { requestId: id });
  expect((await h.settle(id)).state).toBe('succeeded');
  return id;
}

/** The Entra application and service principal whose password the `--kind sp` secret acr-auth in payments holds. */
export function secretServicePrincipal(k8s: {
  getObject(resource: 'secrets', namespace: string, name: string): unknown;
}) {
  const secret = k8s.getObject('secrets', 'payments', 'acr-auth') as { data: Record<string, string> };
  const appId = JSON.parse(Buffer.from(secret.data['.dockerconfigjson'], 'base64').toString()).auths[
    'contosoacr.azurecr.io'
  ].username as string;
  const directory = h.app.sandbox!.directory;
  return { appId, directory, sp: directory.getServicePrincipalByAppId(appId)! };
}

/** `action:outcome` of every audit entry of `id`, oldest first. */
export async function actions(id: string): Promise<string[]> {
  return (await h.app.audit.forRequest(id)).map((e) => `${e.action}:${e.outcome}`);
}

/** The approvers' card of `id` (with Approve/Reject) as drawn now from the store, as JSON text. */
export async function cardOf(id: string): Promise<string> {
  return JSON.stringify(requestCard((await h.app.store.get(id))!, { showActions: true }));
}

/**
 * The state of `id` once the work clicks started after their answer has finished: a revoke
 * click answers "Revoking" and runs its revocations as background work of the turn.
 */
export async function stateOnceClickWorkDone(id: string): Promise<string> {
  await h.app.services.background.drain();
  return (await h.app.store.get(id))!.state;
}

/** ACR token names on contosoacr now (the sandbox's Azure state). */
export const tokens = () => h.app.sandbox!.arm.state.listTokens(contosoId).map((t: { name: string }) => t.name);

/** The requester asks to extend `originalId`; resolves with the extension's id, pending approval. */
export async function requestExtension(originalId: string, args: string): Promise<string> {
  h.connector.clear();
  await h.say(users.requester, `extend ${originalId} ${args}`);
  const card = await h.connector.waitFor(
    (c) => c.op !== 'update' && /Extends/.test(cardText(c.activity)) && /R-[2-9A-Z]{8}/.test(cardText(c.activity)),
    5000,
    'extension plan card',
  );
  return [...cardText(card.activity).matchAll(/R-[2-9A-HJKMNP-TV-Z]{8}/g)]
    .map((m) => m[0])
    .find((x) => x !== originalId)!;
}

/**
 * Stores the pending extension `extensionId` as one filed before an extension's wait for a
 * decision was cut to its original's end (src/domain/extension-deadline.ts): the approval TTL's
 * (a day), no `extendsAccess`. Such a record (or one whose `request.expire` job runs after its
 * original's end job) is still pending once the original's end has passed, for the guards that
 * refuse approving it to meet.
 */
export async function filedBeforeTheCut(extensionId: string): Promise<void> {
  const { extendsAccess: _recorded, ...filed } = (await h.app.store.get(extensionId))!;
  const expiresAt = new Date(Date.parse(filed.createdAt) + 24 * 60 * MINUTE).toISOString();
  await h.app.store.update({ ...filed, version: filed.version + 1, expiresAt });
}

/** Files an extension of `originalId` as its requester and has the approver approve it; it succeeded. */
export async function extendApproved(originalId: string, args: string): Promise<string> {
  const extensionId = await requestExtension(originalId, args);
  await h.click(users.approver, 'approve', { requestId: extensionId });
  expect((await h.settle(extensionId)).state).toBe('succeeded');
  return extensionId;
}

/** The expiry reminder that says "Access ends in `inWords`" (a message, not a card update), once sent. */
export function reminderSent(inWords: string) {
  return h.connector.waitFor(
    (c) => c.op !== 'update' && new RegExp(`Access ends in ${inWords}`).test(cardText(c.activity)),
    5000,
    `the reminder "${inWords}"`,
  );
}

/**
 * Every approvers' copy of `requestId`'s card was updated to say it closed: an extension closed
 * with the access it extends (ended, revoked or drifted) reads "Closed", not "Expired".
 */
export async function approverCardsSayClosed(requestId: string): Promise<void> {
  const copies = (await h.app.store.listCardCopies(requestId)).filter((c) => c.role === 'approver');
  expect(copies.length).toBeGreaterThan(0);
  for (const copy of copies)
    await h.connector.waitFor(
      (c) => c.op === 'update' && c.activityId === copy.activityId && /Closed/.test(cardText(c.activity)),
      5000,
      `approvers' card of ${requestId} updated`,
    );
}

/** Approves `extensionId` as the approver's click does, and starts its run (`done`: its end). */
export async function approveAndRun(extensionId: string): Promise<{ done: Promise<void> }> {
  const approver = { objectId: users.approver.objectId, name: users.approver.name };
  const pending = (await h.app.store.get(extensionId))!;
  await h.app.store.update(transition(pending, { type: 'approve', by: approver, at: now }));
  return { done: h.app.services.executor.schedule(extensionId) };
}

/**
 * Approves `requestId` and starts its run, which is held right after its check (a slow run)
 * until `letGo`: an extension's read of its original `originalId`, a grant's look at the access
 * lease before its PUT (no revocation running).
 */
export async function approveAndHoldAfterItsCheck(requestId: string, originalId?: string) {
  const byTheRun = () => currentCorrelationId() === `exec-${requestId}`;
  let checked!: () => void;
  const wasChecked = new Promise<void>((resolve) => (checked = resolve));
  let letRunGo!: () => void;
  const held = new Promise<void>((resolve) => (letRunGo = resolve));
  heldRuns.push(letRunGo);
  const hold = async () => {
    checked();
    await held;
  };
  const store = h.app.store;
  const get = store.get.bind(store);
  const leases = h.app.stores.leases;
  const holder = leases.holder.bind(leases);
  if (originalId)
    store.get = async (id) => {
      const request = await get(id);
      if (id === originalId && byTheRun()) await hold();
      return request;
    };
  else
    leases.holder = async (key) => {
      const lease = await holder(key);
      if (!lease && byTheRun()) await hold();
      return lease;
    };
  const { done: run } = await approveAndRun(requestId);
  await wasChecked;
  const letGo = async () => {
    letRunGo();
    await run;
    store.get = get;
    leases.holder = holder;
  };
  return {
    /** Lets the run go on and waits for it. */
    letGo,
    /** The same, then waits for the request's final state. */
    async finish(): Promise<AccessRequest> {
      await letGo();
      return h.settle(requestId);
    },
  };
}

/**
 * The approver approves `extensionId` when the revocation of `id` is about to audit `action`,
 * after `before()`; its run is held after its check (approveAndHoldAfterItsCheck). `run()`
 * gives the held run and puts the audit log back.
 */
export function approveWhenAudited(id: string, extensionId: string, action: string, before = () => {}) {
  const audit = h.app.audit;
  const append = audit.append.bind(audit);
  let run: Awaited<ReturnType<typeof approveAndHoldAfterItsCheck>> | undefined;
  audit.append = async (event) => {
    if (!run && event.requestId === id && event.action === action) {
      before();
      run = await approveAndHoldAfterItsCheck(extensionId, id);
    }
    return append(event);
  };
  return {
    run() {
      audit.append = append;
      return run!;
    },
  };
}

/**
 * `now()` approves `requestId` and starts its run, and returns once the run got as far as it
 * can: to its end, or to waiting for the access lease a revocation holds. Called from a hook
 * inside a revocation. `finished()` waits for the run and gives the request.
 */
export function approveDuring(requestId: string) {
  const leases = h.app.stores.leases;
  const holder = leases.holder.bind(leases);
  let waits!: () => void;
  const runWaits = new Promise<void>((resolve) => (waits = resolve));
  leases.holder = async (key) => {
    const lease = await holder(key);
    if (lease && currentCorrelationId() === `exec-${requestId}`) waits();
    return lease;
  };
  let run: Promise<void> | undefined;
  return {
    async now(): Promise<void> {
      if (run) return;
      run = (await approveAndRun(requestId)).done;
      await Promise.race([run, runWaits]);
    },
    async finished(): Promise<AccessRequest> {
      await run;
      leases.holder = holder;
      return (await h.app.store.get(requestId))!;
    },
  };
}

/** {@link approveDuring}, when the revocation of `id` is about to audit `action`. */
export function approveWhileRevoking(id: string, extensionId: string, action: string) {
  const audit = h.app.audit;
  const append = audit.append.bind(audit);
  const approval = approveDuring(extensionId);
  audit.append = async (event) => {
    if (event.requestId === id && event.action === action) await approval.now();
    return append(event);
  };
  return {
    async finished(): Promise<AccessRequest> {
      audit.append = append;
      return approval.finished();
    },
  };
}

/**
 * Waits for the revocation a revoke click of `id` started after its answer (background work of
 * the turn): one attempt of it ran to its end, and it revoked or was refused (its job retries).
 */
export async function oneRevocationAttempt(id: string): Promise<void> {
  const state = await stateOnceClickWorkDone(id);
  const attempts = (await jobOf(`access.expire:${id}`))?.attempts ?? 0;
  if (state !== 'revoked' && attempts < 1) throw new Error(`the revocation of ${id} never ran (${state})`);
}

/**
 * The extension held after finding its original active is let go once a revocation attempt
 * of the original ran to its end; the original must not say "revoked" while the extension's
 * new token lives, and the retry ends both.
 */
export async function revocationWaitsForTheExtension(
  id: string,
  extensionId: string,
  run: { finish(): Promise<unknown> },
) {
  const k8s = h.app.sandbox!.kubernetes['aks-dev'];
  await oneRevocationAttempt(id);
  expect(await run.finish()).toMatchObject({ state: 'succeeded' });
  // The extension wrote a new token into the secret: the original must not say "revoked" now.
  expect({ original: (await h.app.store.get(id))!.state, tokens: tokens() }).toEqual({
    original: 'succeeded',
    tokens: [`acrbot-${extensionId.toLowerCase()}`],
  });
  expect(await actions(id)).toContain('access.revoke.deferred:deferred');
  expect(await actions(id)).not.toContain('access.revoked:revoked');
  const report = await h.connector.waitFor(
    (c) => c.op !== 'update' && /Needs attention/.test(cardText(c.activity)),
    5000,
    'report in the approvals channel',
  );
  expect(cardText(report.activity)).toContain(
    `An extension of ${id} (${extensionId}) is being granted right now. The revocation runs again in a moment.`,
  );
  // The retry (after the backoff) ends both: the extension's token and the secret are gone.
  advance(MINUTE);
  await h.app.scheduler.runDue();
  expect((await h.app.store.get(id))!.state).toBe('revoked');
  expect((await h.app.store.get(extensionId))!.state).toBe('revoked');
  expect(tokens()).toEqual([]);
  expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
}

/** The ids of the jobs scheduled for `requestId`, sorted. */
export async function scheduleOf(requestId: string): Promise<string[]> {
  return (await h.app.stores.schedule.forRequest(requestId)).map((j) => j.id).sort();
}

/** The scheduled job `id`, if there is one. */
export async function jobOf(id: string) {
  return h.app.stores.schedule.get(id);
}

/**
 * Runs `before` once, just before the first store update that `matches` (it may throw to fail
 * that write), and puts the store's update back; answers that original update.
 */
export function beforeFirstUpdate(
  matches: (next: AccessRequest) => boolean,
  before: (update: (next: AccessRequest) => Promise<void>) => Promise<void>,
) {
  const store = h.app.store;
  const update = store.update.bind(store);
  store.update = async (next) => {
    if (matches(next)) {
      store.update = update;
      await before(update);
    }
    return update(next);
  };
  return update;
}

/**
 * Starts the bot, has the requester's two-minute grant on contosoacr (10:00 to 10:02) approved
 * and run, and asks for a one-hour extension of it, left pending approval: where the tests of
 * an extension's success moving its original's end begin.
 */
export async function grantWithExtensionAsked(): Promise<{ request: AccessRequest; extensionId: string }> {
  await start();
  const request = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
  const extensionId = await requestExtension(request.id, '--for 1h release still running');
  return { request, extensionId };
}

/**
 * {@link beforeFirstUpdate} for the write that moves `originalId`'s end for `extensionId` (the
 * original's record gaining the extension in `access.extendedBy`): the moment another instance
 * or a revocation can race an extension's success.
 */
export function beforeEndMovedBy(
  originalId: string,
  extensionId: string,
  before: (update: (next: AccessRequest) => Promise<void>) => Promise<void>,
) {
  return beforeFirstUpdate(
    (next) => next.id === originalId && Boolean(next.access?.extendedBy?.includes(extensionId)),
    before,
  );
}

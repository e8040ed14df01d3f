/**
 * A `--kind sp` rotation writes its new service principal into the secret once the registry lets
 * it pull (pull-check.ts), over real HTTPS to the sandbox's registry data plane
 * (src/sandbox/registry/registry-data-plane.ts): until then the secret keeps the credential it
 * replaces, which still pulls. The waits are bounded; a registry acrbot cannot ask is not waited
 * for; a run that stops during the wait asks again when resumed and creates nothing twice. A new
 * secret (nothing replaced) is not checked, and its card says pulls may fail until its role applies.
 */
import { LeaseLostError } from '../../src/domain/ports';
import type { RegistryProbe } from '../../src/sandbox/registry/registry-data-plane';
import { SANDBOX_REGISTRIES, sandboxResourceId } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';

const contosoId = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);
/** The pull check's waits here: told apart from every other wait by their values, and never slept. */
const PULL_CHECK_DELAYS_MS = [7001, 7002, 7003];

let h: Harness;
/** The waits asked for so far (none is slept). */
let sleeps: number[] = [];
/** When set, the pull check's first wait stops the run as a lost lease would (a take-over, a crash). */
let stopAtFirstWait = false;
/** When set, the pull check's waits never end by themselves (only the instance's stop ends them). */
let waitForever = false;
/** Resolves when a pull check's wait has begun. */
let waiting: () => void = () => undefined;

beforeEach(async () => {
  sleeps = [];
  stopAtFirstWait = false;
  waitForever = false;
  h = await startHarness(
    { ACRBOT_MIN_ACCESS_DURATION: '1m', ACRBOT_EXPIRY_REMINDERS: 'none' },
    {
      pullCheckDelaysMs: PULL_CHECK_DELAYS_MS,
      sleep: async (ms) => {
        sleeps.push(ms);
        if (ms === PULL_CHECK_DELAYS_MS[0] && stopAtFirstWait) {
          stopAtFirstWait = false;
          throw new LeaseLostError('exec:test');
        }
        if (PULL_CHECK_DELAYS_MS.includes(ms) && waitForever) {
          waiting();
          await new Promise<never>(() => undefined);
        }
      },
    },
  );
});
afterEach(async () => h.stop());

const registry = () => h.app.sandbox!.registry;
const k8s = () => h.app.sandbox!.kubernetes['aks-dev'];
const pullCheckWaits = () => sleeps.filter((ms) => PULL_CHECK_DELAYS_MS.includes(ms));

/** The credential the secret payments/acr-auth holds for contosoacr. */
function secretCredential(): { username: string; password: string } {
  const secret = k8s().getObject('secrets', 'payments', 'acr-auth') as unknown as { data: Record<string, string> };
  return JSON.parse(Buffer.from(secret.data['.dockerconfigjson']!, 'base64').toString()).auths['contosoacr.azurecr.io'];
}

/** A `--kind sp` secret on aks-dev, approved and written; its id and credential. */
async function spSecret(): Promise<{ id: string; old: { username: string; password: string } }> {
  const { id } = await h.requestSecret(
    users.requester,
    'aks-dev contosoacr --kind sp --namespace payments --for 10m pull for payments-api',
  );
  await h.click(users.approver, 'approve', { requestId: id });
  expect((await h.settle(id)).state).toBe('succeeded');
  return { id, old: secretCredential() };
}

/** Files an extension of `originalId` (a rotation of its secret) and has it approved; its id once run. */
async function extend(originalId: string): Promise<string> {
  h.connector.clear();
  await h.say(users.requester, `extend ${originalId} --for 1h rollout still running`);
  const card = await h.connector.waitFor(
    (c) => c.op !== 'update' && /Extends/.test(cardText(c.activity)) && /R-[2-9A-Z]{8}/.test(cardText(c.activity)),
    5000,
    'extension plan card',
  );
  const extensionId = [...cardText(card.activity).matchAll(/R-[2-9A-HJKMNP-TV-Z]{8}/g)]
    .map((m) => m[0])
    .find((x) => x !== originalId)!;
  await h.click(users.approver, 'approve', { requestId: extensionId });
  return extensionId;
}

/** The `acr.pull.checked` entries of `id`. */
async function pullChecks(id: string) {
  return (await h.app.audit.forRequest(id)).filter((e) => e.action === 'acr.pull.checked');
}

/** The outcome card of the extension of `originalId`. */
async function extendedCard(originalId: string): Promise<string> {
  const card = await h.connector.waitFor(
    (c) => c.op !== 'update' && new RegExp(`Access of ${originalId} extended`).test(cardText(c.activity)),
    5000,
    'the extension outcome',
  );
  return cardText(card.activity);
}

/** Nothing acrbot wrote for people or operators holds `password`. */
async function nowhere(password: string, ...requestIds: string[]): Promise<void> {
  expect(h.logs.lines.join('\n')).not.toContain(password);
  for (const id of requestIds) {
    expect(JSON.stringify(await h.app.audit.forRequest(id))).not.toContain(password);
    expect(JSON.stringify((await h.app.store.get(id))?.outcome)).not.toContain(password);
  }
  expect(JSON.stringify(h.connector.calls)).not.toContain(password);
}

test('an instance told to stop during the wait stops at once: the run stays executing with the old credential in the secret', async () => {
  const { id, old } = await spSecret();
  registry().assignmentLagProbes = 100;
  waitForever = true;
  const inWait = new Promise<void>((resolve) => (waiting = resolve));
  const extensionId = await extend(id);
  await inWait;

  await h.stop(); // held by the wait before: the shutdown waited out every delay
  const stored = (await h.app.store.get(extensionId))!;
  expect([stored.state, stored.outcome?.error]).toEqual(['executing', undefined]);
  expect(stored.waiting?.reason).toMatch(/acrbot stopped while checking that the new credential pulls/);
  expect(secretCredential().username).toBe(old.username);
  expect(await pullChecks(extensionId)).toEqual([]);
});

test("a new secret is written at once, unchecked, and its card says pulls may fail until the service principal's role applies", async () => {
  registry().assignmentLagProbes = 5;
  const { id } = await spSecret();
  expect(registry().probes).toEqual([]);
  const card = await h.connector.waitFor(
    (c) => c.op !== 'update' && /Pull secret created/.test(cardText(c.activity)) && cardText(c.activity).includes(id),
    5000,
    'the outcome card',
  );
  expect(cardText(card.activity)).toContain(
    "Until Azure has applied the new service principal's role, pulls with it may fail; Kubernetes retries them.",
  );
});

test('the role applies after two checks: the secret keeps the old credential until the third says pull; the card and the audit say it was checked', async () => {
  const { id, old } = await spSecret();
  // A new secret replaces nothing: not checked.
  expect(registry().probes).toEqual([]);
  registry().assignmentLagProbes = 2;
  const heldAtProbe: Array<{ probe: RegistryProbe; secretHolds: string }> = [];
  registry().onProbe = (probe) => heldAtProbe.push({ probe, secretHolds: secretCredential().username });

  const extensionId = await extend(id);
  expect((await h.settle(extensionId)).state).toBe('succeeded');
  const fresh = secretCredential();
  expect(fresh.username).not.toBe(old.username);
  expect(heldAtProbe.map((p) => [p.probe.username, p.probe.status, p.probe.granted])).toEqual([
    [fresh.username, 200, []],
    [fresh.username, 200, []],
    [fresh.username, 200, ['pull']],
  ]);
  // While the registry refused pull, the secret held the credential it replaces.
  expect(heldAtProbe.map((p) => p.secretHolds)).toEqual([old.username, old.username, old.username]);
  expect(pullCheckWaits()).toEqual([7001, 7002]);

  const checks = await pullChecks(extensionId);
  expect(checks).toHaveLength(1);
  expect(checks[0]).toMatchObject({ outcome: 'pulls', targetIds: [contosoId] });
  expect(checks[0]!.detail).toBe(`${fresh.username} asked 3 times; last answer: pulls`);
  const text = await extendedCard(id);
  expect(text).toContain(
    'acrbot checked that the new credential pulls from registry contosoacr before it replaced the old one in the secret.',
  );
  expect(text).toContain(`The credential of ${id}, which it replaced, is kept for whatever still pulls with it`);
  expect(text).not.toContain('may fail');
  await nowhere(fresh.password, id, extensionId);
  await nowhere(old.password, id, extensionId);
});

test('the role never applies within the bound: the secret is written all the same, and the card says pulls may fail until it does', async () => {
  const { id, old } = await spSecret();
  registry().assignmentLagProbes = 100;
  const extensionId = await extend(id);
  expect((await h.settle(extensionId)).state).toBe('succeeded');
  const fresh = secretCredential();
  expect(fresh.username).not.toBe(old.username);
  expect(registry().probes.map((p) => p.granted)).toEqual([[], [], [], []]);
  expect(pullCheckWaits()).toEqual(PULL_CHECK_DELAYS_MS);
  expect(await pullChecks(extensionId)).toMatchObject([
    { outcome: 'notYet', detail: `${fresh.username} asked 4 times; last answer: denied` },
  ]);
  const text = await extendedCard(id);
  expect(text).toContain(
    "Azure had not yet applied the new service principal's role on registry contosoacr when acrbot stopped checking, minutes later; it wrote the new credential all the same.",
  );
  // The kept credential's sentence says already that pulls may fail meanwhile: said once.
  expect(text).toContain(
    `The credential of ${id}, which it replaced, is kept until Azure has applied the new service principal's role`,
  );
  expect(text.match(/may fail/g)).toHaveLength(1);
  await nowhere(fresh.password, id, extensionId);
});

test('a new password Entra has not replicated (401 throughout), on a request that replaces the secret: written at the bound, the card says pulls may fail', async () => {
  const { id: first } = await spSecret();
  registry().passwordLagProbes = 100;
  const later = await h.requestSecret(
    users.requester,
    'aks-dev contosoacr --kind sp --namespace payments --for 10m pull for payments-api',
  );
  expect(later.plan).toMatchObject({ replaces: { requestId: first } });
  await h.click(users.approver, 'approve', { requestId: later.id });
  const done = await h.settle(later.id);
  expect(done.state).toBe('succeeded');
  expect(registry().probes.map((p) => p.status)).toEqual([401, 401, 401, 401]);
  expect(await pullChecks(later.id)).toMatchObject([{ outcome: 'notYet' }]);
  expect(done.outcome?.summary).toContain('when acrbot stopped checking, minutes later; it wrote the new credential');
  expect(done.outcome?.summary).toContain(
    "Until Azure has applied the new service principal's role, pulls with it may fail; Kubernetes retries them.",
  );
  await nowhere(secretCredential().password, first, later.id);
});

test('a registry whose network rules keep acrbot out: asked once, written at once, the card says acrbot could not check', async () => {
  const { id, old } = await spSecret();
  h.app.sandbox!.arm.state.getRegistry(contosoId)!.networkRuleSet.defaultAction = 'Deny';
  const extensionId = await extend(id);
  expect((await h.settle(extensionId)).state).toBe('succeeded');
  expect(secretCredential().username).not.toBe(old.username);
  expect(registry().probes.map((p) => p.status)).toEqual([403]);
  expect(pullCheckWaits()).toEqual([]);
  expect(await pullChecks(extensionId)).toMatchObject([{ outcome: 'unreachable' }]);
  const text = await extendedCard(id);
  expect(text).toContain(
    "acrbot could not check that the new credential pulls before writing it: registry contosoacr does not answer acrbot's host.",
  );
  expect(text.match(/may fail/g)).toHaveLength(1);
  expect(h.logs.entries().filter((e) => e.msg === 'the registry answered the pull check with no verdict')).toEqual([
    expect.objectContaining({ registry: 'contosoacr.azurecr.io', status: 403 }),
  ]);
  await nowhere(secretCredential().password, id, extensionId);
});

test('a run stopped during the wait asks again when resumed: one application, one role assignment, one password left, one audit entry', async () => {
  const { id, old } = await spSecret();
  registry().assignmentLagProbes = 1;
  stopAtFirstWait = true;
  const extensionId = await extend(id);
  await h.app.services.executor.drain();
  expect((await h.app.store.get(extensionId))!.state).toBe('executing');
  // Stopped before the write: the secret still holds the credential it replaces.
  expect(secretCredential().username).toBe(old.username);
  expect(await pullChecks(extensionId)).toEqual([]);

  await h.app.services.executor.resumeInterrupted();
  expect((await h.settle(extensionId)).state).toBe('succeeded');
  const fresh = secretCredential();
  expect(fresh.username).not.toBe(old.username);
  // The first attempt's ask (no pull yet), then the resumed run's (pull).
  expect(registry().probes.map((p) => [p.username, p.granted])).toEqual([
    [fresh.username, []],
    [fresh.username, ['pull']],
  ]);
  const directory = h.app.sandbox!.directory;
  const app = directory.getApplicationByAppId(fresh.username)!;
  expect(app.passwords).toHaveLength(1);
  expect(directory.verifyApplicationSecret(fresh.username, fresh.password, 0)).toBe(true);
  const sp = directory.getServicePrincipalByAppId(fresh.username)!;
  expect(
    h.app
      .sandbox!.arm.state.listRoleAssignments(contosoId)
      .filter((a: { principalId: string }) => a.principalId === sp.id),
  ).toHaveLength(1);
  // The resumed run found its application under the name the first attempt recorded.
  const prefix = `acrbot-${extensionId.toLowerCase()}-`;
  expect(
    [...directory.applications.values()].filter((a: { uniqueName?: string }) => a.uniqueName?.startsWith(prefix)),
  ).toHaveLength(1);
  expect(await pullChecks(extensionId)).toMatchObject([{ outcome: 'pulls' }]);
  await nowhere(fresh.password, id, extensionId);
});

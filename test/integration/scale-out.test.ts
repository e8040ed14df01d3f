/**
 * G8/G11/G13 with several bot processes on one Azure Table Storage (Azurite): real
 * `src/index.ts` processes, one Azurite started from node_modules, the emulated Azure and the
 * Bot Connector in the test process (they outlive a killed bot, like the real ones).
 *
 * - Double-approval races across instances (a Teams retry landing on another instance, two
 *   approvers at once): one execution, one role assignment PUT, exactly one decision entry per
 *   request, and the audit chain verifies. `ACRBOT_RACES` sets how many (default 8 here; the
 *   full run of 200 is `npm run test:races`).
 * - SIGKILL of the instance holding an execution's lease mid-way: another instance takes it
 *   over once the lease expired and finishes it exactly once. The dead holder's lease row is
 *   expired by the test at once (as the TTL would later); the survivor's resume sweep, every
 *   half TTL, takes it over. The grant
 *   flow mid-PUT; the secret flow at three steps (generateCredentials in flight; the credential
 *   made and the Kubernetes secret write in flight; the secret written and the service account
 *   patch in flight): one token, one secret with its valid password, one outcome card, a clean
 *   audit. The test waits for the held call to reach the sandbox (no fixed sleep); an ARM call
 *   is held until the killed instance's connection closes.
 */
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Stores } from '../../src/integrations/store/open-stores';
import { tablesStores } from '../../src/integrations/store/open-stores';
import { openTablesAccount } from '../../src/integrations/store/tables-client';
import { leasePartition } from '../../src/integrations/store/tables-coordination';
import type { HeldCalls } from '../../src/sandbox/arm/faults';
import { SANDBOX_REGISTRIES, SANDBOX_USERS, sandboxResourceId } from '../../src/sandbox/fixtures';
import type { Faults } from '../../src/sandbox/kubernetes';
import { type Sandbox, startSandbox } from '../../src/sandbox/sandbox';
import { startAzurite, type Azurite } from '../helpers/azurite';
import { type BotProcess, killAndWait, spawnBot } from '../helpers/bot-process';
import { CapturingConnector, cardText } from '../helpers/capturing-connector';
import { users } from '../helpers/harness';
import { cardAction, channelMessage, postActivity } from '../helpers/teams-activities';
import { TempDirs } from '../helpers/temp-dirs';
import { within } from '../helpers/within';

jest.setTimeout(180_000);

const RACES = Number(process.env.ACRBOT_RACES ?? 8);
const contosoId = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);
const SECOND_APPROVER = { ...SANDBOX_USERS.outsider } as typeof users.approver;

let azurite: Azurite;
let sandbox: Sandbox;
let connector: CapturingConnector;
let caFile: string;
const tempDirs = new TempDirs();

beforeAll(async () => {
  [azurite, sandbox] = await Promise.all([startAzurite(), startSandbox()]);
  connector = new CapturingConnector();
  await connector.start();
  const dir = tempDirs.make('acrbot-scale-');
  caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, sandbox.tls.caPem);
});
afterAll(async () => {
  try {
    await connector?.stop();
    await sandbox?.stop();
    await azurite?.stop();
  } finally {
    tempDirs.removeAll();
  }
});

const running: ChildProcess[] = [];
afterEach(async () => {
  // Exited before afterAll removes the CA file they were started with.
  await Promise.all(running.splice(0).map(killAndWait));
  sandbox.arm.faults.clear();
});

function botEnv(prefix: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    ACRBOT_MODE: 'sandbox',
    PORT: '0',
    LOG_LEVEL: 'info', // spawnBot waits for the info line "acrbot listening"
    ACRBOT_ARM_ENDPOINT: sandbox.armUrl,
    ACRBOT_GRAPH_ENDPOINT: sandbox.graphUrl,
    NODE_EXTRA_CA_CERTS: caFile,
    ACRBOT_STORAGE: `tables:${azurite.connectionString}`,
    ACRBOT_TABLE_PREFIX: prefix,
    // Long enough that a renewal (every third of it) held up on a busy machine does not hand a
    // run to the other instance mid-way; short enough that the survivor's resume sweep (every
    // half TTL) finds a killed holder's lease, expired by the test, within 10 s.
    ACRBOT_LEASE_TTL: '20s',
    ACRBOT_APPROVERS: `${users.approver.objectId},${SECOND_APPROVER.objectId}`,
    // One requester files every race's request: `npm run test:races` (200) would meet the
    // default 10 a minute (G16 is tested in abuse-limits.test.ts).
    ACRBOT_REQUESTS_PER_MINUTE: '1000',
  };
}

async function startBots(n: number, prefix: string): Promise<BotProcess[]> {
  const started = await Promise.allSettled(Array.from({ length: n }, () => spawnBot(botEnv(prefix), 60_000)));
  const bots = started.filter((r) => r.status === 'fulfilled').map((r) => r.value);
  running.push(...bots.map((b) => b.child));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return bots;
}

/**
 * Files a request and answers its id, from the new card that carries `mark` (its reason): a card
 * of an earlier request that arrives late (an update, or an outcome posted by the other instance)
 * must not be taken for this one's, or the test approves the earlier request again.
 */
async function request(bot: BotProcess, text: string, mark?: RegExp): Promise<string> {
  const before = connector.calls.length;
  await postActivity(bot.url, channelMessage(users.requester, text, { serviceUrl: connector.url }));
  const plan = await connector.waitFor(
    (c) =>
      connector.calls.indexOf(c) >= before &&
      c.op !== 'update' &&
      /R-[2-9A-Z]{8}/.test(cardText(c.activity)) &&
      (!mark || mark.test(cardText(c.activity))),
    20_000,
    'plan card',
  );
  return /R-[2-9A-HJKMNP-TV-Z]{8}/.exec(cardText(plan.activity))![0];
}

async function waitForState(stores: Stores, id: string, states: string[], timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await stores.requests.get(id);
    if (r && states.includes(r.state)) return r.state;
    if (Date.now() > deadline) throw new Error(`request ${id} stuck in ${r?.state}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

/**
 * Successful role-assignment PUTs that arrived at or after `since` (epoch ms). Counted by time,
 * not as a difference of totals: the emulator's request log is capped and drops its oldest
 * entries in batches, which made a difference of totals come out 0 on a long, loaded run.
 */
const roleAssignmentPutsSince = (since: number) =>
  sandbox.arm.requests.filter((e) => e.operation === 'roleAssignments.create' && e.status < 300 && e.at >= since)
    .length;

describe('many instances on one Azure Table Storage', () => {
  test(`${RACES} double-approval races across two instances: one execution, one PUT, one decision entry each; audit verifies`, async () => {
    const prefix = azurite.freshPrefix();
    const [a, b] = await startBots(2, prefix);
    const stores = await tablesStores(
      { kind: 'connectionString', value: azurite.connectionString },
      { now: () => new Date() },
      prefix,
    );
    for (let i = 0; i < RACES; i++) {
      sandbox.arm.state.roleAssignments.clear();
      const raceStart = Date.now();
      const id = await request(
        i % 2 ? b : a,
        `grant aks-prod contosoacr double approval race number ${i}`,
        new RegExp(`double approval race number ${i}(?!\\d)`),
      );
      // Even races: the same click delivered to both instances (a Teams retry); odd: two approvers at once.
      const second = i % 2 ? SECOND_APPROVER : users.approver;
      const answers = await Promise.all([
        postActivity(a.url, cardAction(users.approver, 'approve', { requestId: id }, { serviceUrl: connector.url })),
        postActivity(b.url, cardAction(second, 'approve', { requestId: id }, { serviceUrl: connector.url })),
      ]);
      expect(answers.map((r) => r.status)).toEqual([200, 200]);
      expect(await waitForState(stores, id, ['succeeded', 'failed'])).toBe('succeeded');
      const actions = (await stores.audit.forRequest(id)).map((e) => e.action);
      expect(actions.filter((x) => x === 'request.approved')).toHaveLength(1);
      expect(actions.filter((x) => x === 'execution.started' || x === 'execution.resumed')).toHaveLength(1);
      expect(actions.filter((x) => x === 'request.succeeded')).toHaveLength(1);
      expect(roleAssignmentPutsSince(raceStart)).toBe(1);
      expect(sandbox.arm.state.listRoleAssignments(contosoId)).toHaveLength(1);
    }
    await expect(stores.audit.verify()).resolves.toMatchObject({ intact: true });
  });

  test('SIGKILL of the instance executing a grant mid-PUT: the other instance takes over after the lease expired, exactly once', async () => {
    const prefix = azurite.freshPrefix();
    const bots = await startBots(2, prefix);
    const stores = await tablesStores(
      { kind: 'connectionString', value: azurite.connectionString },
      { now: () => new Date() },
      prefix,
    );
    sandbox.arm.state.roleAssignments.clear();
    const id = await request(bots[0], 'grant aks-prod contosoacr killed mid-way');
    // Held until the killed instance's connection closes; then ARM carries the PUT out.
    const put = sandbox.arm.faults.hold({ operation: 'roleAssignments.create' });
    await postActivity(
      bots[0].url,
      cardAction(users.approver, 'approve', { requestId: id }, { serviceUrl: connector.url }),
    );
    await within(put.arrived, 'the role assignment PUT in flight', 30_000);
    // Kill whichever instance holds the execution lease (its owner id is host:pid:<per-process id>).
    const holder = await leaseHolder(prefix, id, bots);
    const other = bots.find((b) => b !== holder)!;
    const exited = new Promise((r) => holder.child.once('exit', r));
    holder.child.kill('SIGKILL');
    await exited;
    await expireLease(prefix, id, holder);
    expect(await waitForState(stores, id, ['succeeded', 'failed'], 60_000)).toBe('succeeded');
    expect(sandbox.arm.state.listRoleAssignments(contosoId)).toHaveLength(1);
    const actions = (await stores.audit.forRequest(id)).map((e) => e.action);
    expect(actions.filter((x) => x === 'request.approved')).toHaveLength(1);
    expect(actions.filter((x) => x === 'execution.resumed')).toHaveLength(1);
    expect(actions.filter((x) => x === 'request.succeeded')).toHaveLength(1);
    await expect(stores.audit.verify()).resolves.toMatchObject({ intact: true });
    // The survivor is still serving.
    expect((await fetch(`${other.url}/readyz`)).status).toBe(200);
  });
});

/** Where a secret run is killed, how the sandbox holds it there, and how the test knows it is there. */
interface SecretKillStep {
  title: string;
  /** Holds the run at the step (`drop`: the killed instance's write never lands). */
  hold(): void;
  /** Resolves once the held call has reached the sandbox (it is in flight). */
  reached(): Promise<void>;
  /** What the audit says of the secret write of the instance that finishes. */
  write: 'created' | 'replaced';
}

const aksDev = () => sandbox.kubernetes['aks-dev'];

/**
 * Resolves once `faults` hands out a fault: the call it holds has arrived. The emulator runs in
 * this process, so its `take` is watched (until jest.restoreAllMocks) rather than polled.
 */
function faultTaken(faults: Faults): Promise<void> {
  const take = faults.take.bind(faults);
  return new Promise((resolve) => {
    jest.spyOn(faults, 'take').mockImplementation((target) => {
      const action = take(target);
      if (action) resolve();
      return action;
    });
  });
}

/** The Kubernetes emulator (aks-dev) handed out the fault of this test: set in beforeEach. */
let kubeFaultTaken: Promise<void>;
let generateCredentials: HeldCalls | undefined;

const SECRET_KILL_STEPS: SecretKillStep[] = [
  {
    title: 'while generateCredentials is in flight (the token exists, its password is being made)',
    // Held until the killed instance's connection closes.
    hold: () => void (generateCredentials = sandbox.arm.faults.hold({ operation: 'registries.generateCredentials' })),
    reached: () => generateCredentials!.arrived,
    write: 'created',
  },
  {
    title: 'after the credential exists, while the Kubernetes secret write is in flight (it never lands)',
    // A create names the secret in its body, not its path: matched by verb, resource and namespace.
    hold: () =>
      aksDev().faults.inject({
        verb: 'create',
        resource: 'secrets',
        namespace: 'payments',
        delayMs: 20_000,
        drop: true,
      }),
    reached: () => kubeFaultTaken,
    write: 'created',
  },
  {
    title: 'after the secret write, before the outcome (the service account patch in flight)',
    hold: () =>
      aksDev().faults.inject({
        verb: 'patch',
        resource: 'serviceaccounts',
        name: 'default',
        delayMs: 20_000,
        drop: true,
      }),
    reached: () => kubeFaultTaken,
    // Its own secret, found by the label naming this very request and written again (G13): still
    // this request's creation, not a replacement of anyone's.
    write: 'created',
  },
];

describe('SIGKILL mid-secret-flow with two instances on one Azure Table Storage', () => {
  beforeEach(() => {
    kubeFaultTaken = faultTaken(aksDev().faults);
  });
  afterEach(() => {
    jest.restoreAllMocks();
    aksDev().faults.clear();
  });

  test.each(SECRET_KILL_STEPS.map((step, i) => [step.title, i] as const))(
    'killed %s: the other instance finishes after the lease expired, exactly once',
    async (_title, index) => {
      const step = SECRET_KILL_STEPS[index];
      const prefix = azurite.freshPrefix();
      const bots = await startBots(2, prefix);
      const stores = await tablesStores(
        { kind: 'connectionString', value: azurite.connectionString },
        { now: () => new Date() },
        prefix,
      );
      const name = `acr-kill-${index}-${prefix.slice(-6)}`;
      const id = await request(
        bots[0],
        `secret aks-dev contosoacr --namespace payments --name ${name} --service-account default killed mid-way`,
      );
      step.hold();
      await postActivity(
        bots[0].url,
        cardAction(users.approver, 'approve', { requestId: id }, { serviceUrl: connector.url }),
      );
      await within(step.reached(), `the run held ${step.title}`, 30_000);
      const holder = await leaseHolder(prefix, id, bots);
      const other = bots.find((b) => b !== holder)!;
      const exited = new Promise((r) => holder.child.once('exit', r));
      holder.child.kill('SIGKILL');
      await exited;
      await expireLease(prefix, id, holder);

      const final = await waitForState(stores, id, ['succeeded', 'failed'], 60_000);
      expect({ final, error: (await stores.requests.get(id))?.outcome?.error }).toEqual({ final: 'succeeded' });
      // One credential: one token named after the request, and the secret's password is its valid one.
      const tokens = sandbox.arm.state
        .listTokens(contosoId)
        .filter((t: { name: string }) => t.name === `acrbot-${id.toLowerCase()}`);
      expect(tokens).toHaveLength(1);
      // One secret, written by acrbot for this request, linked once to the service account.
      const secret = aksDev().getObject('secrets', 'payments', name) as unknown as {
        metadata: { labels: Record<string, string> };
        data: Record<string, string>;
      };
      expect(secret.metadata.labels['acrbot.io/request-id']).toBe(id);
      const entry = JSON.parse(Buffer.from(secret.data['.dockerconfigjson'], 'base64').toString()).auths[
        'contosoacr.azurecr.io'
      ];
      expect(sandbox.arm.state.verifyTokenPassword(contosoId, entry.username, entry.password)).toBe(true);
      const sa = aksDev().getObject('serviceaccounts', 'payments', 'default') as unknown as {
        imagePullSecrets?: { name: string }[];
      };
      expect(sa.imagePullSecrets?.filter((s) => s.name === name)).toHaveLength(1);
      // One outcome card (posted after the state is stored).
      await connector.waitFor(
        (c) => /Pull secret created/.test(cardText(c.activity)) && cardText(c.activity).includes(`payments/${name}`),
        20_000,
        'the outcome card',
      );
      const outcomes = connector.calls.filter(
        (c) =>
          c.op === 'send' &&
          /Pull secret created/.test(cardText(c.activity)) &&
          cardText(c.activity).includes(`payments/${name}`),
      );
      expect(outcomes).toHaveLength(1);
      // A clean audit: one decision, one take-over, one outcome; the chain verifies.
      const actions = (await stores.audit.forRequest(id)).map((e) => e.action);
      expect(actions.filter((x) => x === 'request.approved')).toHaveLength(1);
      expect(actions.filter((x) => x === 'execution.resumed')).toHaveLength(1);
      expect(actions.filter((x) => x === 'request.succeeded')).toHaveLength(1);
      expect(actions.filter((x) => x === 'request.failed')).toHaveLength(0);
      const writes = (await stores.audit.forRequest(id)).filter((e) => e.action === 'kubernetes.write.secret');
      expect(writes.map((e) => e.outcome)).toEqual([step.write]);
      await expect(stores.audit.verify()).resolves.toMatchObject({ intact: true });
      expect((await fetch(`${other.url}/readyz`)).status).toBe(200);
    },
  );
});

/**
 * What the passing of the TTL does to a killed holder's execution lease, done at once: it
 * expires (owner and fence kept, so the take-over gets a higher fence). A Merge changes the
 * row's ETag, so an instance that remembers the row reads it again before deciding.
 */
async function expireLease(prefix: string, requestId: string, dead: BotProcess): Promise<void> {
  const table = await openTablesAccount({ kind: 'connectionString', value: azurite.connectionString }, prefix).table(
    'leases',
  );
  const partitionKey = leasePartition(`exec:${requestId}`);
  const row = await table.getEntity<{ owner: string }>(partitionKey, '');
  // Only the dead holder's: had the lease changed hands, this would hide a real take-over.
  if (pidOfOwner(row.owner) !== dead.child.pid)
    throw new Error(`exec:${requestId} is held by ${row.owner}, not the killed instance`);
  await table.updateEntity({ partitionKey, rowKey: '', expiresAtMs: 0 }, 'Merge', { etag: row.etag });
}

/** The process id in a lease owner (`host:pid:<per-process id>`, src/composition/instance-owner.ts). */
function pidOfOwner(owner: string): number {
  return Number(owner.split(':')[1]);
}

/**
 * The instance holding the execution lease of `requestId`. Read once, after a held call of the
 * run arrived: a run takes its lease before its first call, so the row is there by then.
 */
async function leaseHolder(prefix: string, requestId: string, bots: BotProcess[]): Promise<BotProcess> {
  const table = await openTablesAccount({ kind: 'connectionString', value: azurite.connectionString }, prefix).table(
    'leases',
  );
  const row = await table.getEntity<{ owner: string }>(leasePartition(`exec:${requestId}`), '').catch(() => undefined);
  const pid = row && pidOfOwner(row.owner);
  const bot = bots.find((b) => b.child.pid === pid);
  if (!bot) throw new Error(`no instance holds exec:${requestId} (${row?.owner ?? 'no lease row'})`);
  return bot;
}

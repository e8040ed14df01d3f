/**
 * G13: the bot process is killed (SIGKILL) in the middle of the grant and secret flows and
 * started again on the same SQLite file; the work completes exactly once, nothing is
 * orphaned, and the audit chain stays intact. Azure (ARM, Graph, Kubernetes emulators) and the
 * Bot Connector live in the test process, so they survive the bot's death like the real ones.
 */
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { openSqlite } from '../../src/integrations/store/sqlite-database';
import { SqliteAuditLog } from '../../src/integrations/store/sqlite-audit-log';
import { SqliteScheduleStore } from '../../src/integrations/store/sqlite-coordination';
import { SqliteRequestStore } from '../../src/integrations/store/sqlite-request-store';
import type { HeldCalls } from '../../src/sandbox/arm/faults';
import { SANDBOX_REGISTRIES, sandboxResourceId } from '../../src/sandbox/fixtures';
import { type Sandbox, startSandbox } from '../../src/sandbox/sandbox';
import { CapturingConnector, cardText } from '../helpers/capturing-connector';
import { cardAction, channelMessage, postActivity } from '../helpers/teams-activities';
import { users } from '../helpers/harness';
import { type BotProcess, killAndWait, spawnBot } from '../helpers/bot-process';
import { TempDirs } from '../helpers/temp-dirs';
import { within } from '../helpers/within';

const contosoId = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);

describe('G13: crash and restart', () => {
  let sandbox: Sandbox;
  let connector: CapturingConnector;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const running: ChildProcess[] = [];
  const tempDirs = new TempDirs();

  beforeAll(async () => {
    sandbox = await startSandbox();
    connector = new CapturingConnector();
    await connector.start();
  });
  afterAll(async () => {
    await sandbox.stop();
    await connector.stop();
  });
  beforeEach(() => {
    dir = tempDirs.make('acrbot-crash-');
    writeFileSync(join(dir, 'ca.pem'), sandbox.tls.caPem);
    env = {
      PATH: process.env.PATH,
      ACRBOT_MODE: 'sandbox',
      PORT: '0',
      LOG_LEVEL: 'info',
      ACRBOT_ARM_ENDPOINT: sandbox.armUrl,
      ACRBOT_GRAPH_ENDPOINT: sandbox.graphUrl,
      NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'),
      ACRBOT_STORAGE: `sqlite:${join(dir, 'acrbot.db')}`,
      // The lease TTL is the default: a short one would let a renewal held up on a busy machine
      // hand the run to another process mid-way. A killed process's leases are expired by the
      // test instead (expireLeasesOf), as the TTL would once it had passed.
    };
  });
  afterEach(async () => {
    try {
      // The bots hold the SQLite file in `dir`: they are gone before it is removed.
      await Promise.all(running.splice(0).map(killAndWait));
      sandbox.arm.faults.clear();
    } finally {
      tempDirs.removeAll();
    }
  });

  async function startBot(): Promise<BotProcess> {
    const bot = await spawnBot(env, 20_000);
    running.push(bot.child);
    return bot;
  }

  async function kill(bot: BotProcess): Promise<void> {
    const exited = new Promise((r) => bot.child.once('exit', r));
    bot.child.kill('SIGKILL');
    await exited;
  }

  /**
   * What the passing of the lease TTL does to a killed process's leases, done at once: they
   * expire (owner and fence kept, so a take-over still gets a higher fence). The restarted bot
   * then resumes the interrupted run at its start instead of a TTL later.
   */
  function expireLeasesOf(dead: BotProcess): void {
    const db = openSqlite(join(dir, 'acrbot.db'));
    // Its owner id is `<host>:<pid>:<random id of the process>` (instance-owner.ts); the leases its
    // scheduler and revocations take under owners derived from it (`…#<run>`, `…|<request>`) are left.
    const { changes } = db
      .prepare("UPDATE leases SET expires_at = 0 WHERE owner LIKE ? AND owner NOT GLOB '*[#|]*' AND expires_at > 0")
      .run(`${hostname()}:${dead.child.pid}:%`);
    db.close();
    if (changes === 0) throw new Error(`the killed bot (pid ${dead.child.pid}) held no lease`);
  }

  /** Kills `bot` mid-run and expires its leases (its execution lease among them). */
  async function killMidRun(bot: BotProcess): Promise<void> {
    await kill(bot);
    expireLeasesOf(bot);
  }

  function openStore() {
    const db = openSqlite(join(dir, 'acrbot.db'));
    return {
      requests: new SqliteRequestStore(db),
      audit: new SqliteAuditLog(db, { now: () => new Date() }),
      close: () => db.close(),
    };
  }

  /**
   * Asks for `text` and reads the new request's id from the plan card answering that very
   * message (in its own thread). Any card posted after the message is not enough: an earlier
   * request's closing cards (its approval card turned "Granted", its outcome) are sent after the
   * store says it succeeded, so under load they arrive after the next message and name that
   * earlier request.
   */
  async function request(bot: BotProcess, text: string): Promise<string> {
    const message = channelMessage(users.requester, text, { serviceUrl: connector.url });
    const thread = (message.conversation as { id: string }).id;
    await postActivity(bot.url, message);
    const plan = await connector.waitFor(
      (c) => c.conversationId === thread && c.op !== 'update' && /R-[2-9A-Z]{8}/.test(cardText(c.activity)),
      10_000,
      'plan card',
    );
    return /R-[2-9A-HJKMNP-TV-Z]{8}/.exec(cardText(plan.activity))![0];
  }

  /**
   * Waits for a held call to reach the sandbox, or fails saying so. The sandbox runs in this
   * process (only the bot is a child), so its arrival is an event to await.
   */
  async function inFlight(held: HeldCalls, what: string): Promise<void> {
    await within(held.arrived, what);
  }

  async function waitForState(id: string, states: string[], timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const store = openStore();
      const r = await store.requests.get(id);
      store.close();
      if (r && states.includes(r.state)) return r.state;
      if (Date.now() > deadline) throw new Error(`request ${id} stuck in ${r?.state}`);
      await new Promise((res) => setTimeout(res, 50));
    }
  }

  /**
   * Waits for request `id`'s audit trail to hold `action`: a state is written before its entry
   * (audited by the winner of the conditional write), so a kill right after the state is seen
   * could come before the entry.
   */
  async function waitForEntry(id: string, action: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const store = openStore();
      const actions = (await store.audit.forRequest(id)).map((e) => e.action);
      store.close();
      if (actions.includes(action)) return;
      if (Date.now() > deadline) throw new Error(`request ${id} has no ${action} entry: ${actions.join(', ')}`);
      await new Promise((res) => setTimeout(res, 50));
    }
  }

  /** The state of request `id` in the store now. */
  async function stateOf(id: string): Promise<string | undefined> {
    const store = openStore();
    const r = await store.requests.get(id);
    store.close();
    return r?.state;
  }

  /** Waits for request `id` to end; answers its state, with the reason when it failed. */
  async function ended(id: string): Promise<string> {
    const state = await waitForState(id, ['succeeded', 'failed']);
    if (state === 'succeeded') return state;
    const store = openStore();
    const r = await store.requests.get(id);
    store.close();
    return `${state}: ${r?.outcome?.error ?? 'no outcome'}`;
  }

  /**
   * Waits for `bot` to die at `what` (a fault that SIGKILLs it), or fails saying what happened
   * instead, whichever comes first: the run of request `id` ended (a run that never makes the
   * call never dies), the process exited by itself, or neither happened at all.
   */
  async function waitForDeathAt(
    bot: BotProcess,
    killed: () => boolean,
    id: string,
    what: string,
    timeoutMs = 30_000,
  ): Promise<void> {
    const child = bot.child;
    const exited = new Promise<void>((r) =>
      child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r()),
    );
    let gone = false;
    void exited.then(() => (gone = true));
    const final = ['succeeded', 'failed', 'rejected', 'expired', 'cancelled', 'revoked'];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const store = openStore();
      const r = await store.requests.get(id);
      store.close();
      if (gone) {
        if (killed()) return;
        throw new Error(`the bot exited (${child.exitCode ?? child.signalCode}) by itself before ${what}`);
      }
      if (r && final.includes(r.state))
        throw new Error(
          `the run of ${id} ended as ${r.state} before ${what}: ${r.outcome?.error ?? r.outcome?.summary ?? r.decision?.reason ?? 'no outcome'}`,
        );
      if (Date.now() > deadline)
        throw new Error(
          `the bot neither died at ${what} nor ended the run of ${id}: it is still ${r?.state ?? 'not stored'}`,
        );
      await Promise.race([exited, new Promise((res) => setTimeout(res, 50))]);
    }
  }

  test('grant: killed while the role assignment PUT is in flight → after restart exactly one assignment, succeeded, chain intact', async () => {
    sandbox.arm.state.roleAssignments.clear();
    let bot = await startBot();
    const id = await request(bot, 'grant aks-prod contosoacr deploy payments-api');
    // Held until the connection closes: the PUT goes on as the bot dies, as ARM finishes a write
    // whose caller went away.
    const put = sandbox.arm.faults.hold({ operation: 'roleAssignments.create' });
    const res = await postActivity(
      bot.url,
      cardAction(users.approver, 'approve', { requestId: id }, { serviceUrl: connector.url }),
    );
    expect(res.status).toBe(200);
    await inFlight(put, 'the role assignment PUT in flight');
    expect(await stateOf(id)).toBe('executing');
    await killMidRun(bot);
    bot = await startBot();
    expect(await waitForState(id, ['succeeded', 'failed'])).toBe('succeeded');
    expect(sandbox.arm.state.listRoleAssignments(contosoId)).toHaveLength(1);
    await kill(bot);
    const store = openStore();
    expect(await store.audit.verify()).toMatchObject({ intact: true });
    expect((await store.audit.forRequest(id)).map((e) => e.action)).toEqual(
      expect.arrayContaining(['execution.started', 'execution.resumed', 'request.succeeded']),
    );
    store.close();
  }, 60_000);

  test('secret --kind sp: killed while addPassword is in flight → after restart the same application is reused, none orphaned', async () => {
    let bot = await startBot();
    const id = await request(
      bot,
      'secret aks-dev contosoacr --kind sp --namespace payments --name acr-sp-crash pull after a crash',
    );
    const addPassword = sandbox.graph.faults.hold({ operation: 'applications.addPassword' });
    await postActivity(
      bot.url,
      cardAction(users.approver, 'approve', { requestId: id }, { serviceUrl: connector.url }),
    );
    // Killed exactly while addPassword is in flight: Graph still adds that password, whose key id
    // acrbot never learnt. The marker recorded before the call (its display name) lets the resumed
    // run recognise it as its own (G13) instead of refusing the application as held by someone
    // else (graph.applicationNotOurs, G15).
    await inFlight(addPassword, 'addPassword in flight');
    await killMidRun(bot);
    bot = await startBot();
    expect(await waitForState(id, ['succeeded', 'failed'])).toBe('succeeded');
    const apps = [...sandbox.directory.applications.values()].filter((a: { displayName: string }) =>
      a.displayName.endsWith(id.toLowerCase()),
    );
    expect(apps).toHaveLength(1);
    // The interrupted call's password (known only by the marker recorded before the call) is
    // removed once the secret holds the resumed run's: one password, the one in the secret.
    const passwords = (apps[0] as { passwords: { displayName: string | null }[] }).passwords;
    expect(passwords).toHaveLength(1);
    expect(passwords[0].displayName).toMatch(new RegExp(`^acrbot image pull ${id} `));
    const secret = sandbox.kubernetes['aks-dev'].getObject('secrets', 'payments', 'acr-sp-crash') as unknown as {
      data: Record<string, string>;
    };
    const entry = JSON.parse(Buffer.from(secret.data['.dockerconfigjson'], 'base64').toString()).auths[
      'contosoacr.azurecr.io'
    ];
    expect(entry.username).toBe((apps[0] as { appId: string }).appId);
    expect(sandbox.directory.verifyApplicationSecret(entry.username, entry.password)).toBe(true);
    await kill(bot);
    const store = openStore();
    const removed = (await store.audit.forRequest(id)).filter((e) => e.action === 'graph.write.removePassword');
    store.close();
    expect(removed).toEqual([expect.objectContaining({ outcome: 'removed' })]);
  }, 60_000);

  test('G17: SIGKILL between scheduling the end and revoking → the restarted bot revokes at the end, exactly once', async () => {
    sandbox.arm.state.roleAssignments.clear();
    env = { ...env, ACRBOT_MIN_ACCESS_DURATION: '1m', ACRBOT_SWEEP_INTERVAL: '1s', ACRBOT_EXPIRY_REMINDERS: 'none' };
    let bot = await startBot();
    const id = await request(bot, 'grant aks-prod contosoacr --for 1m deploy payments-api');
    await postActivity(
      bot.url,
      cardAction(users.approver, 'approve', { requestId: id }, { serviceUrl: connector.url }),
    );
    expect(await waitForState(id, ['succeeded', 'failed'])).toBe('succeeded');
    expect(sandbox.arm.state.listRoleAssignments(contosoId)).toHaveLength(1);
    await kill(bot);
    // The end is in the store, not in the dead process.
    const db = openSqlite(join(dir, 'acrbot.db'));
    const schedule = new SqliteScheduleStore(db);
    const job = await schedule.get(`access.expire:${id}`);
    expect(job).toBeDefined();
    // The end passes while no process runs: the restarted bot finds the job overdue and must
    // still revoke. Time is moved rather than waited out: the term's end (in the request and
    // its job, through the bot's own stores) now lies a minute in the past.
    const requests = new SqliteRequestStore(db, false);
    const granted = (await requests.get(id))!;
    const end = granted.access?.expiresAt;
    expect(end).toBeDefined();
    const past = (iso: string) => new Date(Date.parse(iso) - 2 * 60_000).toISOString();
    await requests.update({
      ...granted,
      version: granted.version + 1,
      access: { ...granted.access!, expiresAt: past(end!) },
    });
    await schedule.put({ ...job!, dueAt: past(job!.dueAt) });
    db.close();
    expect(sandbox.arm.state.listRoleAssignments(contosoId)).toHaveLength(1);
    bot = await startBot();
    expect(await waitForState(id, ['revoked'], 30_000)).toBe('revoked');
    expect(sandbox.arm.state.listRoleAssignments(contosoId)).toHaveLength(0);
    await kill(bot);
    const store = openStore();
    const actions = (await store.audit.forRequest(id)).map((e) => e.action);
    expect(actions.filter((a) => a === 'access.expired')).toHaveLength(1);
    expect(actions).toContain('access.revoke.roleAssignment');
    expect(await store.audit.verify()).toMatchObject({ intact: true });
    store.close();
  }, 60_000);

  test('G6: a pending request whose expiry job was lost while no process ran is expired by the restarted bot, its window having passed', async () => {
    env = { ...env, ACRBOT_SWEEP_INTERVAL: '1s' };
    let bot = await startBot();
    const id = await request(bot, 'grant aks-dev contosoacr deploy payments-api');
    await kill(bot);
    const db = openSqlite(join(dir, 'acrbot.db'));
    const schedule = new SqliteScheduleStore(db);
    const jobId = `request.expire:${id}`;
    expect(await schedule.get(jobId)).toBeDefined();
    // Lost (a row deleted, a store restored from before it was written): only the start's rebuild
    // of the pending requests' expiry jobs can bring it back.
    await schedule.delete(jobId);
    // The window passes while no process runs: moved rather than waited out, as in the G17 test
    // above. The whole request is a window and a minute older; its window stays as long.
    const requests = new SqliteRequestStore(db, false);
    const pending = (await requests.get(id))!;
    expect(pending.state).toBe('pending');
    const shift = Date.parse(pending.expiresAt) - Date.parse(pending.createdAt) + 60_000;
    const earlier = (iso: string) => new Date(Date.parse(iso) - shift).toISOString();
    await requests.update({
      ...pending,
      version: pending.version + 1,
      createdAt: earlier(pending.createdAt),
      expiresAt: earlier(pending.expiresAt),
    });
    db.close();
    bot = await startBot();
    expect(await waitForState(id, ['expired'], 15_000)).toBe('expired');
    await waitForEntry(id, 'request.expired');
    await kill(bot);
    const store = openStore();
    expect((await store.audit.forRequest(id)).map((e) => e.action)).toContain('request.expired');
    expect(await store.audit.verify()).toMatchObject({ intact: true });
    store.close();
  }, 60_000);

  test('SIGTERM: stops accepting turns, finishes the execution in flight, closes the store and exits 0', async () => {
    const bot = await startBot();
    const id = await request(bot, 'grant aks-legacy contosoacr graceful shutdown check');
    const put = sandbox.arm.faults.hold({ operation: 'roleAssignments.create' });
    await postActivity(
      bot.url,
      cardAction(users.approver, 'approve', { requestId: id }, { serviceUrl: connector.url }),
    );
    await inFlight(put, 'the role assignment PUT in flight');
    const exited = new Promise<number | null>((r) => bot.child.once('exit', (code) => r(code)));
    bot.child.kill('SIGTERM');
    await bot.waitForOutput(/stopping: finishing in-flight work/);
    const late = await postActivity(
      bot.url,
      channelMessage(users.requester, 'help', { serviceUrl: connector.url }),
    ).catch(() => ({ status: 0 }));
    expect([0, 503]).toContain(late.status);
    // The execution is still in flight (its PUT held) when the turns are refused; now it ends.
    expect(await stateOf(id)).toBe('executing');
    put.release();
    expect(await exited).toBe(0);
    expect(await waitForState(id, ['succeeded'], 1000)).toBe('succeeded');
  });

  test('pending request survives a kill and is approvable after restart', async () => {
    let bot = await startBot();
    const id = await request(bot, 'grant aks-dev contosoacr deploy payments-api');
    await kill(bot);
    bot = await startBot();
    await postActivity(
      bot.url,
      cardAction(users.approver, 'approve', { requestId: id }, { serviceUrl: connector.url }),
    );
    expect(await waitForState(id, ['succeeded', 'failed'])).toBe('succeeded');
    await kill(bot);
  }, 60_000);

  test('secret: killed while generateCredentials is in flight → after restart one secret, one token, no orphan', async () => {
    let bot = await startBot();
    const id = await request(bot, 'secret aks-dev contosoacr --namespace payments --name acr-crash pull after a crash');
    const generate = sandbox.arm.faults.hold({ operation: 'registries.generateCredentials' });
    await postActivity(
      bot.url,
      cardAction(users.approver, 'approve', { requestId: id }, { serviceUrl: connector.url }),
    );
    await inFlight(generate, 'generateCredentials in flight');
    await killMidRun(bot);
    bot = await startBot();
    expect(await waitForState(id, ['succeeded', 'failed'])).toBe('succeeded');
    const tokens = sandbox.arm.state
      .listTokens(contosoId)
      .filter((t: { name: string }) => t.name === `acrbot-${id.toLowerCase()}`);
    expect(tokens).toHaveLength(1);
    const secret = sandbox.kubernetes['aks-dev'].getObject('secrets', 'payments', 'acr-crash') as unknown as {
      data: Record<string, string>;
    };
    const entry = JSON.parse(Buffer.from(secret.data['.dockerconfigjson'], 'base64').toString()).auths[
      'contosoacr.azurecr.io'
    ];
    expect(sandbox.arm.state.verifyTokenPassword(contosoId, entry.username, entry.password)).toBe(true);
    await kill(bot);
    const store = openStore();
    expect(await store.audit.verify()).toMatchObject({ intact: true });
    store.close();
  }, 60_000);

  test('secret rotation: killed after the replacing PUT reached Kubernetes → the resumed run still retires the replaced token, keeps its service-account entry and says replaced', async () => {
    let bot = await startBot();
    const first = await request(
      bot,
      'secret aks-dev contosoacr --namespace payments --service-account default --name acr-rotate first pull secret',
    );
    await postActivity(
      bot.url,
      cardAction(users.approver, 'approve', { requestId: first }, { serviceUrl: connector.url }),
    );
    expect(await ended(first)).toBe('succeeded');
    const second = await request(bot, 'secret aks-dev contosoacr --namespace payments --name acr-rotate rotate it');
    expect(second).not.toBe(first);
    const k8s = sandbox.kubernetes['aks-dev'];
    // The process dies as its PUT arrives; the API server then carries the PUT out.
    const victim = bot;
    let killed = false;
    const removeFault = k8s.faults.inject({
      method: 'PUT',
      resource: 'secrets',
      namespace: 'payments',
      name: 'acr-rotate',
      meanwhile: () => {
        killed = true;
        victim.child.kill('SIGKILL');
      },
    });
    try {
      const approved = await postActivity(
        bot.url,
        cardAction(users.approver, 'approve', { requestId: second }, { serviceUrl: connector.url }),
      );
      expect(approved.status).toBe(200);
      await waitForDeathAt(victim, () => killed, second, 'its replacing PUT of the secret');
    } finally {
      removeFault();
    }
    expireLeasesOf(victim);
    const labelled = (
      k8s.getObject('secrets', 'payments', 'acr-rotate') as unknown as {
        metadata: { labels: Record<string, string> };
      }
    ).metadata.labels['acrbot.io/request-id'];
    expect(labelled?.toUpperCase()).toBe(second);
    bot = await startBot();
    expect(await ended(second)).toBe('succeeded');
    const store = openStore();
    const done = (await store.requests.get(second))!;
    store.close();
    expect(done.outcome?.secret).toMatchObject({ action: 'replaced', serviceAccounts: ['default'] });
    expect(done.outcome?.summary).toMatch(/replaced in aks-dev/);
    expect(
      sandbox.arm.state
        .listTokens(contosoId)
        .map((t: { name: string }) => t.name)
        .filter((n: string) => [first, second].map((id) => `acrbot-${id.toLowerCase()}`).includes(n)),
    ).toEqual([`acrbot-${second.toLowerCase()}`]);
    await kill(bot);
  }, 120_000);
});

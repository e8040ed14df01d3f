/**
 * A run's final state is saved before its outcome is told (the cards redrawn, the requester's
 * outcome message), and the telling waits in the process's memory (card-outbox.ts). A process
 * killed in between used to leave the requester never told and every card copy at "Pending" with
 * its buttons. The restarted bot's outcome net (outcome-told-net.ts) tells it: once the dead
 * process's execution lease expired, the outcome message goes out, the cards show the grant,
 * and `request.outcome.told` records it once. Real processes, SIGKILL, the same SQLite file.
 */
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSqlite } from '../../src/integrations/store/sqlite-database';
import { SqliteRequestStore } from '../../src/integrations/store/sqlite-request-store';
import { type Sandbox, startSandbox } from '../../src/sandbox/sandbox';
import { type CapturedCall, CapturingConnector, cardText } from '../helpers/capturing-connector';
import { cardAction, channelMessage, postActivity } from '../helpers/teams-activities';
import { users } from '../helpers/harness';
import { killAndWait, spawnBot } from '../helpers/bot-process';
import { TempDirs } from '../helpers/temp-dirs';

jest.setTimeout(120_000);

const REQUEST_ID = /R-[2-9A-HJKMNP-TV-Z]{8}/;

/** The audit entries of `id` in the bot's SQLite file (read beside the running bot). */
function trailOf(dbPath: string, id: string): Array<{ action: string; outcome: string }> {
  const db = openSqlite(dbPath);
  try {
    const rows = db.prepare('SELECT entry FROM audit WHERE request_id = ? ORDER BY seq').all(id) as Array<{
      entry: string;
    }>;
    return rows.map((r) => JSON.parse(r.entry) as { action: string; outcome: string });
  } finally {
    db.close();
  }
}

/**
 * Resolves once `check` holds, looking again every 50 ms: a condition in the bot's store, which
 * no message announces (a bound turns a hang into a failure naming it).
 */
async function until(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a bot killed between the final save and the outcome', () => {
  let sandbox: Sandbox;
  let connector: CapturingConnector;
  const running: ChildProcess[] = [];
  const tempDirs = new TempDirs();
  beforeAll(async () => {
    sandbox = await startSandbox();
    connector = new CapturingConnector();
    await connector.start();
  });
  afterAll(async () => {
    await Promise.all(running.splice(0).map(killAndWait));
    await sandbox.stop();
    await connector.stop();
    tempDirs.removeAll();
  });

  test('grant saved as succeeded, killed before its cards: the restarted bot tells the outcome, once', async () => {
    const dir = tempDirs.make('acrbot-outcome-told-');
    writeFileSync(join(dir, 'ca.pem'), sandbox.tls.caPem);
    const dbPath = join(dir, 'acrbot.db');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      ACRBOT_MODE: 'sandbox',
      PORT: '0',
      LOG_LEVEL: 'info',
      // A short lease: the dead process's run is free to take over within seconds.
      ACRBOT_LEASE_TTL: '4s',
      ACRBOT_ARM_ENDPOINT: sandbox.armUrl,
      ACRBOT_GRAPH_ENDPOINT: sandbox.graphUrl,
      NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'),
      ACRBOT_STORAGE: `sqlite:${dbPath}`,
    };
    sandbox.arm.state.roleAssignments.clear();
    const first = await spawnBot(env, 20_000);
    running.push(first.child);
    const message = channelMessage(users.requester, 'grant aks-prod contosoacr deploy payments-api', {
      serviceUrl: connector.url,
    });
    const thread = (message.conversation as { id: string }).id;
    await postActivity(first.url, message);
    const plan = await connector.waitFor(
      (c) => c.conversationId === thread && c.op !== 'update' && REQUEST_ID.test(cardText(c.activity)),
      10_000,
      'the plan card',
    );
    const id = REQUEST_ID.exec(cardText(plan.activity))![0];
    // From now on Teams answers no post and no update of the first process (never released: the
    // calls it holds die with it, and are never recorded).
    const held = (connector as unknown as { held: Map<string, Promise<void>> }).held;
    held.set('', new Promise<void>(() => undefined));
    const res = await postActivity(
      first.url,
      cardAction(users.approver, 'approve', { requestId: id }, { serviceUrl: connector.url }),
    );
    expect(res.status).toBe(200);
    const stored = async () => {
      const db = openSqlite(dbPath);
      try {
        return await new SqliteRequestStore(db).get(id);
      } finally {
        db.close();
      }
    };
    // The store says succeeded; its telling waits on Teams.
    await until(async () => (await stored())?.state === 'succeeded', 'the grant saved as succeeded');
    expect(trailOf(dbPath, id).map((e) => e.action)).not.toContain('request.outcome.told');
    await killAndWait(first.child);
    held.delete('');
    const mark = connector.calls.length;
    const after = () => connector.calls.slice(mark).filter((c) => cardText(c.activity).includes(id));
    const outcomeMessage = (c: CapturedCall) =>
      c.op !== 'update' && c.conversationId.startsWith(thread) && /Pull access granted/.test(cardText(c.activity));
    // Restarted: nothing but its start and resume sweeps to go on (the dead process's lease holds
    // the run for up to 4 s more).
    const second = await spawnBot(env, 20_000);
    running.push(second.child);
    await connector.waitFor(
      (c) => connector.calls.indexOf(c) >= mark && outcomeMessage(c) && cardText(c.activity).includes(id),
      30_000,
      'the outcome message',
    );
    await second.waitForOutput(/the outcome of this run was saved but not told/);
    // Every copy of its card posted before the kill (the requester's, the approvers') is redrawn
    // granted: none is left at "Pending" with its buttons.
    const copies = connector.calls
      .slice(0, mark)
      // Cards only, not the message mentioning its approvers in the approvers' card's thread.
      .filter(
        (c) => c.op !== 'update' && (c.activity.attachments?.length ?? 0) > 0 && cardText(c.activity).includes(id),
      )
      .map((c) => c.activityId);
    expect(copies).toHaveLength(2);
    expect(connector.calls.slice(0, mark).filter((c) => /\bGranted\b/.test(cardText(c.activity)))).toEqual([]);
    for (const copy of copies)
      await connector.waitFor(
        (c) =>
          connector.calls.indexOf(c) >= mark &&
          c.op === 'update' &&
          c.activityId === copy &&
          /\bGranted\b/.test(cardText(c.activity)),
        30_000,
        `card copy ${copy} redrawn granted`,
      );
    await until(() => trailOf(dbPath, id).some((e) => e.action === 'request.outcome.told'), 'the mark');
    expect(trailOf(dbPath, id).filter((e) => e.action === 'request.outcome.told')).toEqual([
      expect.objectContaining({ outcome: 'sent' }),
    ]);
    expect(after().filter(outcomeMessage)).toHaveLength(1);
  });
});

/**
 * G11 in chat: `@acrbot audit verify` checks the chain in the store and the store against the
 * published anchors (append blob), with the same function `npm run audit:verify` runs, and names
 * the first entry that disagrees. Azure Tables and the blob service on a real Azurite.
 */
import { runCliCaptured } from '../helpers/audit-cli-run';
import { type AuditEntry, chainEntry } from '../../src/domain/audit-chain';
import { openTablesAccount } from '../../src/integrations/store/tables-client';
import { cardText } from '../helpers/capturing-connector';
import { DEV_KEY, startAzurite, type Azurite } from '../helpers/azurite';
import { type Harness, startHarness, users } from '../helpers/harness';
import { auditEvent } from '../unit/support/requests';

jest.setTimeout(60_000);

const KEY = Buffer.alloc(32, 9);
const rowKey = (seq: number) => `e|${String(seq).padStart(12, '0')}`;

let azurite: Azurite;
let h: Harness | undefined;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function setup() {
  const prefix = azurite.freshPrefix();
  const container = `anchors-${prefix}`.toLowerCase();
  const env = {
    ACRBOT_STORAGE: `tables:${azurite.connectionString}`,
    ACRBOT_TABLE_PREFIX: prefix,
    ACRBOT_AUDIT_KEY: KEY.toString('base64'),
    ACRBOT_AUDIT_ANCHOR: `${azurite.connectionString}Container=${container}`,
  };
  h = await startHarness(env);
  const harness = h;
  const table = await openTablesAccount({ kind: 'connectionString', value: azurite.connectionString }, prefix).table(
    'audit',
  );
  /** One granted request, then the due `audit.anchor` job publishes the head. */
  const grantAndAnchor = async () => {
    const request = await harness.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    await harness.click(users.approver, 'approve', { requestId: request.id });
    await harness.settle(request.id);
    await harness.app.scheduler.schedule({ id: 'audit.anchor', kind: 'audit.anchor', dueAt: new Date() });
    expect(await harness.app.scheduler.runDue()).toBeGreaterThanOrEqual(1);
    return request;
  };
  /** `@acrbot audit verify` as the approver; the verdict card's text. */
  const chatVerify = async () => {
    harness.connector.clear();
    await harness.say(users.approver, 'audit verify');
    const card = await harness.connector.waitFor(
      (c) => /Audit chain (intact|BROKEN|NOT VERIFIED)/.test(cardText(c.activity)),
      10_000,
      'verify',
    );
    return cardText(card.activity);
  };
  /** `npm run audit:verify` on the same store and anchors (in-process). */
  const cliVerify = async () => {
    const { code, stdout, stderr } = await runCliCaptured(['verify'], env);
    return { code, stdout: stdout.trim(), stderr: stderr.trim() };
  };
  const rewrite = async (seq: number, entry: AuditEntry) =>
    table.updateEntity(
      { partitionKey: 'audit', rowKey: rowKey(seq), docChunks: 1, doc0: JSON.stringify(entry) },
      'Replace',
    );
  return { harness, grantAndAnchor, chatVerify, cliVerify, rewrite, table };
}

describe('chat audit verify against the published anchors', () => {
  test('an intact store that agrees with its anchors: chat says so, like audit:verify', async () => {
    const { harness, grantAndAnchor, chatVerify, cliVerify } = await setup();
    await grantAndAnchor();
    const { count } = await harness.app.audit.verify();
    const text = await chatVerify();
    const at = /published (\d{4}-\d\d-\d\dT[\d:.]+Z)/.exec(text)?.[1];
    expect(at).toBeDefined();
    const anchored = `MACs checked on all ${count} entries. 1 anchor agrees, the newest at seq ${count}, published ${at}.`;
    expect(text).toContain(`The audit chain is intact, ${count} entries. ${anchored}`);
    expect(text).toContain('the store against every published anchor');
    expect(await cliVerify()).toMatchObject({
      code: 0,
      stdout: `intact, ${count} entries; ${anchored.replace(/\. /g, '; ').replace(/\.$/, '')}`,
    });
  });

  test('no anchor published yet (its container does not exist): chat says NOT VERIFIED, never intact, like audit:verify (exit 2)', async () => {
    const { harness, chatVerify, cliVerify } = await setup();
    const request = await harness.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    await harness.click(users.approver, 'approve', { requestId: request.id });
    await harness.settle(request.id);
    const text = await chatVerify();
    expect(text).toContain('Audit chain NOT VERIFIED');
    expect(text).not.toContain('intact');
    expect(text).toContain('The store could not be checked against the published anchors: the anchor container');
    expect(text).not.toContain(DEV_KEY);
    const cli = await cliVerify();
    expect(cli).toMatchObject({ code: 2, stdout: '' });
    // The same reason in both.
    expect(text).toContain(cli.stderr.replace(/^audit-cli: NOT VERIFIED against anchors: /, ''));
  });

  test('an entry tampered with and its hash recomputed (the MAC needs the key): chat names it', async () => {
    const { harness, grantAndAnchor, chatVerify, cliVerify, rewrite } = await setup();
    const request = await grantAndAnchor();
    const approved = (await harness.app.audit.forRequest(request.id)).find((e) => e.action === 'request.approved')!;
    const previous = (await harness.app.audit.entryAt(approved.seq - 1))!;
    // The unkeyed parts recomputed: content and hash; the MAC cannot be, so the old one stays.
    const forged = {
      ...chainEntry({ ...approved, detail: 'approved by the CISO' }, previous, new Date(approved.ts)),
      mac: approved.mac,
    };
    await rewrite(approved.seq, forged);
    const text = await chatVerify();
    expect(text).toContain('Audit chain BROKEN');
    expect(text).toContain(`The audit chain is broken at seq ${approved.seq}:`);
    const cli = await cliVerify();
    expect(cli.code).toBe(1);
    expect(cli.stdout).toMatch(new RegExp(`^BROKEN at seq ${approved.seq}: `));
    // The same verdict, word for word.
    expect(text).toContain(cli.stdout.replace(/^BROKEN at seq (\d+): /, 'broken at seq $1: '));
  });

  test('a rewrite with the audit key passes the chain; chat names the first anchored entry that disagrees', async () => {
    const { harness, grantAndAnchor, chatVerify, cliVerify, rewrite, table } = await setup();
    const first = await grantAndAnchor();
    const anchoredSeq = (await harness.app.audit.latest(1))[0].seq;
    await grantAndAnchor();
    // Someone with write access to the store AND the key rewrites the first request's approval
    // and re-chains everything after it: the chain in the store verifies again.
    const approved = (await harness.app.audit.forRequest(first.id)).find((e) => e.action === 'request.approved')!;
    const head = (await harness.app.audit.latest(1))[0].seq;
    let previous = (await harness.app.audit.entryAt(approved.seq - 1))!;
    for (let seq = approved.seq; seq <= head; seq++) {
      const stored = (await harness.app.audit.entryAt(seq))!;
      const event = seq === approved.seq ? { ...stored, detail: 'approved by the CISO' } : stored;
      const forged = chainEntry(event, previous, new Date(stored.ts), KEY);
      await rewrite(seq, forged);
      previous = forged;
    }
    await table.updateEntity({ partitionKey: 'audit', rowKey: 'head', seq: head, hash: previous.hash }, 'Replace');
    await expect(harness.app.audit.verify()).resolves.toMatchObject({ intact: true });

    const text = await chatVerify();
    expect(text).toContain('Audit chain BROKEN');
    expect(text).toContain(
      `The audit chain is broken at seq ${anchoredSeq}: entry ${anchoredSeq} differs from the anchor published at`,
    );
    const cli = await cliVerify();
    expect(cli.code).toBe(1);
    expect(cli.stdout).toMatch(new RegExp(`^BROKEN at seq ${anchoredSeq}: entry ${anchoredSeq} differs`));
    expect(text).toContain(cli.stdout.replace(/^BROKEN at seq (\d+): /, 'broken at seq $1: '));
  });
});

describe('chat audit verify without anchors', () => {
  test('a log of one entry is intact, said as one entry', async () => {
    h = await startHarness();
    const harness = h;
    const verify = async () => {
      harness.connector.clear();
      await harness.say(users.approver, 'audit verify');
      const card = await harness.connector.waitFor(
        (c) => /Audit chain intact/.test(cardText(c.activity)),
        10_000,
        'verify',
      );
      return cardText(card.activity);
    };
    await harness.app.audit.append(auditEvent(1));
    expect(await verify()).toContain('The audit chain is intact, 1 entry. ');
    await harness.app.audit.append(auditEvent(2));
    expect(await verify()).toContain('The audit chain is intact, 2 entries. ');
  });
});

describe('the audit.anchor job', () => {
  test('due far in the future at start (someone who can write the schedule stopping anchors) is brought back to now', async () => {
    const prefix = azurite.freshPrefix();
    const env = {
      ACRBOT_STORAGE: `tables:${azurite.connectionString}`,
      ACRBOT_TABLE_PREFIX: prefix,
      ACRBOT_AUDIT_KEY: KEY.toString('base64'),
      ACRBOT_AUDIT_ANCHOR: `${azurite.connectionString}Container=${`anchors-${prefix}`.toLowerCase()}`,
    };
    h = await startHarness(env);
    await h.app.scheduler.schedule({
      id: 'audit.anchor',
      kind: 'audit.anchor',
      dueAt: new Date('2099-01-01T00:00:00Z'),
    });
    await h.stop();
    h = await startHarness(env);
    const job = await h.app.stores.schedule.get('audit.anchor');
    expect(Date.parse(job!.dueAt)).toBeLessThanOrEqual(Date.now());
  });
});

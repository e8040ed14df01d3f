/**
 * A revoke of many (`revoke registry NAME`, `revoke CLUSTER REGISTRY`) reads the succeeded
 * requests there oldest first and only then keeps those of the asker's tenant this approver may
 * revoke. So its read goes well past what one card carries (REVOKE_READ_LIMIT): 200 and more older
 * requests of another rule or tenant do not hide this approver's. One card still carries at most
 * PAIR_REVOKE_LIMIT of theirs and counts the rest, and its click compares with the same read.
 * When the read itself stops at its cap, every answer says so (the card, "Nothing you may
 * revoke", "Nothing to revoke"), so none reads as "nothing left".
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccessRequest } from '../../src/domain/request';
import { PAIR_REVOKE_LIMIT, REVOKE_READ_LIMIT } from '../../src/flows/revocation-preview';
import { SANDBOX_TENANT_ID, SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import { LEGACY_RULE_POLICY, sam } from '../helpers/legacy-rule-policy';
import type { TeamsUser } from '../helpers/teams-activities';
import { OTHER_TENANT } from '../helpers/tenant-b';

const ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
const second: TeamsUser = { ...SANDBOX_USERS.outsider, name: 'Sam Second' } as TeamsUser;
const ENV = {
  ACRBOT_MIN_ACCESS_DURATION: '1m',
  ACRBOT_EXPIRY_REMINDERS: 'none',
  ACRBOT_ALLOWED_TENANTS: `${SANDBOX_TENANT_ID},${OTHER_TENANT}`,
};
const CUT_REGISTRY = `acrbot read only the first ${REVOKE_READ_LIMIT} requests on contosoacr (the oldest); there may be more, yours among them, that this answer does not count: revoke them per cluster ("@acrbot revoke CLUSTER contosoacr") or one at a time ("@acrbot revoke REQUEST-ID").`;
const CUT_PAIR = `acrbot read only the first ${REVOKE_READ_LIMIT} requests on aks-legacy → contosoacr (the oldest)`;

let h: Harness;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'acrbot-revoke-read-cut-'));
  writeFileSync(join(dir, 'policy.yaml'), LEGACY_RULE_POLICY);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await h?.stop();
});

const start = async () => {
  h = await startHarness({ ...ENV, ACRBOT_POLICY: join(dir, 'policy.yaml') });
};

async function grant(user: TeamsUser, args: string, approver: TeamsUser = users.approver) {
  const request = await h.requestGrant(user, args);
  await h.click(approver, 'approve', { requestId: request.id });
  const done = await h.settle(request.id);
  expect(done.state).toBe('succeeded');
  return done;
}

/** A request id (R- and 8 characters): `prefix` (two) and `i` in six more. */
function idOf(prefix: string, i: number): string {
  let digits = '';
  for (let n = i, k = 0; k < 6; k++, n = Math.floor(n / 30)) digits = ALPHABET[n % 30] + digits;
  return `R-${prefix}${digits}`;
}

/**
 * `count` copies of `real` (its access, under other ids), created `offsetMs` + i ms from it
 * (negative: older, read first), with `overrides` (another tenant).
 */
async function copies(
  real: AccessRequest,
  prefix: string,
  count: number,
  offsetMs: number,
  overrides: Partial<AccessRequest> = {},
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = idOf(prefix, i);
    const createdAt = new Date(Date.parse(real.createdAt) + offsetMs + i).toISOString();
    await h.app.store.create({ ...real, id, createdAt, ...overrides });
    ids.push(id);
  }
  return ids;
}

/** The card the approver gets for `command` (its content). */
async function answerTo(command: string, title: RegExp): Promise<any> {
  h.connector.clear();
  await h.say(users.approver, command);
  const sent = await h.connector.waitFor((c) => title.test(cardText(c.activity)), 10_000, String(title));
  return sent.activity.attachments![0]!.content;
}

const textOf = (card: any) => cardText({ attachments: [{ content: card }] });

async function clickRevoke(card: any): Promise<string> {
  return textOf((await h.click(users.approver, 'revokeConfirm', card.actions[0].data)).body?.value);
}

async function stateOf(id: string): Promise<string> {
  await h.app.services.background.drain();
  return (await h.app.store.get(id))!.state;
}

describe('a revoke of many reads past older requests of another rule or tenant', () => {
  test(`registry: ${PAIR_REVOKE_LIMIT + 10} older requests of another rule, then this approver's: theirs listed and revoked`, async () => {
    await start();
    const legacy = await grant(second, 'aks-legacy contosoacr --for 30d nightly batch pulls', sam);
    const older = await copies(legacy, 'LG', PAIR_REVOKE_LIMIT + 10, -60_000);
    const prod = await grant(users.requester, 'aks-prod contosoacr --for 30d deploy payments-api');

    const card = await answerTo('revoke registry contosoacr incident 42', /Revoke .*\?|Nothing/);
    const text = textOf(card);
    expect(text).toContain('Revoke 1 acrbot request on contosoacr, from 1 cluster?');
    expect(text).toContain(`\n${older.length + 1} more are under rule legacy, whose approvers`);
    expect(text).not.toContain('acrbot read only');
    expect(card.actions[0].data.requestId).toBe(prod.id);
    // The click reads the same and compares equal: it revokes, it does not redraw.
    expect(await clickRevoke(card)).toContain(`Revoking ${prod.id}`);
    expect(await stateOf(prod.id)).toBe('revoked');
    expect(await stateOf(legacy.id)).toBe('succeeded');
  });

  test(`pair: ${PAIR_REVOKE_LIMIT + 10} older requests of another tenant, then this approver's: theirs listed and revoked`, async () => {
    await start();
    const prod = await grant(users.requester, 'aks-prod contosoacr --for 30d deploy payments-api');
    await copies(prod, 'TB', PAIR_REVOKE_LIMIT + 10, -60_000, { tenantId: OTHER_TENANT });

    const card = await answerTo('revoke aks-prod contosoacr incident 42', /Revoke .*\?|Nothing/);
    expect(textOf(card)).toContain('Revoke 1 acrbot request of aks-prod on contosoacr?');
    expect(card.actions[0].data.requestId).toBe(prod.id);
    expect(await clickRevoke(card)).toContain(`Revoking ${prod.id}`);
    expect(await stateOf(prod.id)).toBe('revoked');
  });

  test(`more of theirs than one card carries: ${PAIR_REVOKE_LIMIT} listed, the rest counted; the click compares equal`, async () => {
    await start();
    const prod = await grant(users.requester, 'aks-prod contosoacr --for 30d deploy payments-api');
    const mine = [prod.id, ...(await copies(prod, 'MN', PAIR_REVOKE_LIMIT + 2, 1))];

    const card = await answerTo('revoke registry contosoacr incident 42', /Revoke .*\?/);
    const text = textOf(card);
    expect(text).toContain(`Revoke ${PAIR_REVOKE_LIMIT} acrbot requests on contosoacr`);
    expect(text).toContain(
      `3 more that you may revoke are not on this card, which carries at most ${PAIR_REVOKE_LIMIT}: once these are revoked, ask again.`,
    );
    expect(card.actions[0].data.requestId.split(',')).toEqual(mine.slice(0, PAIR_REVOKE_LIMIT));
    const answer = await clickRevoke(card);
    // Counted in the title (not a bold paragraph of 200 ids), every id named under it.
    expect(answer).toContain(`Revoking ${PAIR_REVOKE_LIMIT} acrbot requests`);
    expect(answer).toContain(`Revoking: ${mine.slice(0, PAIR_REVOKE_LIMIT).join(', ')}.`);
    expect(answer).not.toContain('changed since the card was drawn');
    expect(await stateOf(mine[PAIR_REVOKE_LIMIT]!)).toBe('succeeded');
  });
});

describe(`a read stopped at its cap (${REVOKE_READ_LIMIT}) is said in every answer`, () => {
  test('the card, then "Nothing you may revoke" (a registry and a pair), once only another rule’s are read', async () => {
    await start();
    const prod = await grant(users.requester, 'aks-prod contosoacr --for 30d deploy payments-api');
    const legacy = await grant(second, 'aks-legacy contosoacr --for 30d nightly batch pulls', sam);
    await copies(legacy, 'LG', REVOKE_READ_LIMIT, 60_000);

    const card = await answerTo('revoke registry contosoacr incident 42', /Revoke .*\?|Nothing/);
    expect(textOf(card)).toContain('Revoke 1 acrbot request on contosoacr, from 1 cluster?');
    expect(textOf(card)).toContain(CUT_REGISTRY);
    expect(await clickRevoke(card)).toContain(`Revoking ${prod.id}`);
    expect(await stateOf(prod.id)).toBe('revoked');

    const registry = await h.ask(users.approver, 'revoke registry contosoacr incident 42');
    expect(registry).toContain('Nothing you may revoke');
    expect(registry).toContain(CUT_REGISTRY);
    const pair = await h.ask(users.approver, 'revoke aks-legacy contosoacr incident 42');
    expect(pair).toContain('Nothing you may revoke');
    expect(pair).toContain(CUT_PAIR);
    expect(pair).toContain('revoke them one at a time ("@acrbot revoke REQUEST-ID")');
  });

  test('"Nothing to revoke", when the read holds only another tenant’s (theirs beyond it)', async () => {
    await start();
    const prod = await grant(users.requester, 'aks-prod contosoacr --for 30d deploy payments-api');
    await copies(prod, 'TB', REVOKE_READ_LIMIT, -60_000, { tenantId: OTHER_TENANT });
    // This approver's own is newer than every one read: the answer must not read as "none".

    for (const [command, cut] of [
      ['revoke registry contosoacr incident 42', CUT_REGISTRY],
      [
        'revoke aks-prod contosoacr incident 42',
        `acrbot read only the first ${REVOKE_READ_LIMIT} requests on aks-prod → contosoacr`,
      ],
    ]) {
      const reply = await h.ask(users.approver, command!);
      expect(reply).toContain('Nothing to revoke');
      expect(reply).toContain(cut);
    }
  });
});

/**
 * A requester sees their own requests in chat, through the real app and store: `status` without
 * an id lists their newest (every state, the 10 newest, the rest counted), and `access` alone
 * lists their open requests apart from the access they hold (5, "…and N more"). Another user's
 * requests and another tenant's (tenant-boundary.ts) are never listed; `status` with a malformed
 * id is still answered "Which request?".
 */
import type { AccessRequest } from '../../src/domain/request';
import { SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { type Harness, startHarness, users } from '../helpers/harness';
import type { TeamsUser } from '../helpers/teams-activities';
import { OTHER_TENANT } from '../helpers/tenant-b';

const adele = SANDBOX_USERS.oncall as TeamsUser;
const megan = SANDBOX_USERS.secondApprover as TeamsUser;

/** Request ids of the form acrbot gives (R- and 8 of its letters), `prefix` then `n` in its alphabet. */
const idOf = (prefix: string, n: number) => `R-${prefix}${'23456789ABCDEFGHJKMN'[n]}`;

describe("a requester's own requests in chat", () => {
  let h: Harness;
  let riley: AccessRequest;
  let oscar: AccessRequest;

  beforeAll(async () => {
    h = await startHarness();
    riley = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    oscar = await h.requestGrant(users.outsider, 'aks-dev contosoacr batch jobs need images');
    // Riley's object id in another tenant's request: never listed to Riley of this one.
    await h.app.store.create({ ...riley, id: 'R-TENANTB2', tenantId: OTHER_TENANT, reason: 'TENANT-B PENDING' });
  });
  afterAll(async () => {
    await h?.stop();
  });

  /** `count` requests of Adele's in `state`, created a minute apart from `from` (the last newest). */
  async function adeles(prefix: string, count: number, state: AccessRequest['state'], from: string) {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const createdAt = new Date(Date.parse(from) + i * 60_000).toISOString();
      const id = idOf(prefix, i);
      await h.app.store.create({
        ...riley,
        id,
        state,
        requester: { objectId: adele.objectId, name: adele.name },
        createdAt,
        updatedAt: createdAt,
      });
      ids.push(id);
    }
    return ids;
  }

  test("status alone: the asker's own, of their tenant, with their state; none says how to ask", async () => {
    const mine = await h.ask(users.requester, 'status');
    expect(mine).toContain('Your requests');
    expect(mine).toContain(`${riley.id} · grant: aks-prod → contosoacr`);
    expect(mine).toContain('Pending approval');
    expect(mine).toContain('waiting for approval');
    expect(mine).toContain('"@acrbot status R-…" shows one request in full');
    expect(mine).not.toContain('R-TENANTB2');
    expect(mine).not.toContain(oscar.id);
    // Their reason stays on `status R-…`.
    expect(mine).not.toContain('deploy payments-api');

    const theirs = await h.ask(users.outsider, 'status');
    expect(theirs).toContain(oscar.id);
    expect(theirs).not.toContain(riley.id);

    const none = await h.ask(megan, 'status');
    expect(none).toContain('You have no requests in this organisation (tenant)');
    expect(none).toContain('@acrbot grant CLUSTER REGISTRY REASON');

    // An id still goes to the one request; a malformed one is still refused as before.
    expect(await h.ask(users.requester, `status ${riley.id}`)).toContain('deploy payments-api');
    expect(await h.ask(users.requester, 'status payments')).toContain('Which request?');
  });

  test('status alone: the 10 newest of every state, the older ones counted', async () => {
    const ended = await adeles('OLDEXP2', 8, 'expired', '2026-01-01T00:00:00.000Z');
    const failed = await adeles('OLDFAL2', 4, 'failed', '2026-02-01T00:00:00.000Z');
    const text = await h.ask(adele, 'status');
    // Newest first: the 4 failed, then the 6 newest expired; the 2 oldest are counted.
    const shown = [...failed].reverse().concat([...ended].reverse().slice(0, 6));
    const at = shown.map((id) => text.indexOf(id));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    for (const id of ended.slice(0, 2)) expect(text).not.toContain(id);
    expect(text).toContain('The 10 newest requests by Adele Operator');
    expect(text).toContain('2 older requests are not shown');
    expect(text).not.toContain(riley.id);
  });

  test('access alone: open requests apart from the access held, 5 of them, the rest counted', async () => {
    const mine = await h.ask(users.requester, 'access');
    expect(mine).toContain('Your access');
    expect(mine).toContain('Waiting: your open requests');
    expect(mine).toContain(`${riley.id} · grant: aks-prod → contosoacr`);
    expect(mine).not.toContain('R-TENANTB2');
    expect(mine).not.toContain(oscar.id);
    expect(mine).not.toContain('more open request');

    // Megan asked for nothing: no section.
    expect(await h.ask(megan, 'access')).not.toContain('Waiting: your open requests');

    const open = [
      ...(await adeles('OPENPND', 4, 'pending', '2026-03-01T00:00:00.000Z')),
      ...(await adeles('OPENAPR', 3, 'approved', '2026-03-02T00:00:00.000Z')),
    ];
    // Ended ones, newer than all of them: not open, never listed here.
    const ended = [
      ...(await adeles('ENDEXP3', 2, 'expired', '2026-04-01T00:00:00.000Z')),
      ...(await adeles('ENDFAL3', 2, 'failed', '2026-04-02T00:00:00.000Z')),
    ];
    const text = await h.ask(adele, 'access');
    expect(text).toContain('Waiting: your open requests');
    // The 5 newest (the approved ones, then the 2 newest pending), none of the ended ones.
    for (const id of open.slice(2)) expect(text).toContain(id);
    for (const id of open.slice(0, 2)) expect(text).not.toContain(id);
    expect(text).toContain('…and 2 more open requests — see the My access tab.');
    for (const id of ended) expect(text).not.toContain(id);
    expect(text).not.toMatch(/OLDEXP|OLDFAL/);
    expect(text).not.toContain(riley.id);
  });
});

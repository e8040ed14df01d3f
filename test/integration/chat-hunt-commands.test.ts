/**
 * Chat commands typed as people type them: `pause` alone while acrbot waits for an answer, and a
 * request id at the end of a sentence ("status R-7K2M9QXA."). Each gets an answer that says what
 * happened or what was wrong, and what would work; nothing changes on bad input.
 */
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import type { TeamsUser } from '../helpers/teams-activities';

describe('chat commands as typed', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  /** Says `text` in a chat with acrbot; the texts of everything acrbot answered in that turn. */
  async function answers(user: TeamsUser, text: string): Promise<string[]> {
    const before = h.connector.calls.length;
    // The turn's replies are sent before the HTTP answer to the activity.
    expect((await h.say(user, text, 'personal')).status).toBe(200);
    return h.connector.calls.slice(before).map((c) => cardText(c.activity));
  }

  test('"pause" alone at a question shows the pause state and says the questions stopped; the next answer is no answer', async () => {
    for (const [start, question] of [
      ['grant aks-prod', /Which registry/],
      ['grant aks-prod contosoacr', /Why is the access needed/],
    ] as const) {
      expect((await answers(users.requester, start)).join('\n')).toMatch(question);
      const said = await answers(users.requester, 'pause');
      expect(said).toHaveLength(2);
      expect(said[0]).toContain('The request you were filling in is stopped; nothing was requested.');
      expect(said[1]).toContain('New access is open');
      // Stopped indeed: what would have been the answer is read as a command now.
      const next = await answers(users.requester, start.endsWith('contosoacr') ? 'nightly batch' : 'contosoacr');
      expect(next.join('\n')).toMatch(/Unknown command/);
    }
    expect(await h.app.store.listByState(['pending'])).toEqual([]);
    expect(await h.app.services.pauses.current()).toBeUndefined();
  });

  test('a request id with a full stop or comma after it is named as the problem, with the command that works; nothing changes', async () => {
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    await h.click(users.approver, 'approve', { requestId: request.id });
    const granted = await h.settle(request.id);
    expect(granted.state).toBe('succeeded');
    const seq = (await h.app.audit.latest(1))[0].seq;
    const problem = (word: string, command: string) =>
      `"${word}" is not a request id: the "${word.slice(request.id.length)}" after it is not part of it. Type "@acrbot ${command}". Nothing was changed.`;

    const status = await answers(users.requester, `status ${request.id}.`);
    expect(status.join('\n')).toContain(problem(`${request.id}.`, `status ${request.id}`));

    // Read as "revoke CLUSTER REGISTRY" before: the requester was told only approvers revoke pairs.
    const revoke = (await answers(users.requester, `revoke ${request.id.toLowerCase()}. no longer needed`)).join('\n');
    expect(revoke).toContain(problem(`${request.id.toLowerCase()}.`, `revoke ${request.id} REASON…`));
    expect(revoke).not.toMatch(/Only approvers|cluster name/);
    const approverRevoke = (await answers(users.approver, `revoke ${request.id}, oops`)).join('\n');
    expect(approverRevoke).toContain(problem(`${request.id},`, `revoke ${request.id} REASON…`));
    expect(approverRevoke).not.toMatch(/not a valid cluster name/);

    const extend = await answers(users.requester, `extend ${request.id}. --for 30d release still running`);
    expect(extend.join('\n')).toContain(problem(`${request.id}.`, `extend ${request.id} --for 30d REASON…`));

    const audit = await answers(users.approver, `audit ${request.id}:`);
    expect(audit.join('\n')).toContain(problem(`${request.id}:`, `audit ${request.id}`));

    // Nothing was revoked, extended or asked for.
    expect((await h.app.store.get(request.id))!.state).toBe('succeeded');
    expect(await h.app.store.listByState(['pending'])).toEqual([]);
    const since = (await h.app.audit.latest(50)).filter((e) => e.seq > seq).map((e) => e.action);
    expect(since.filter((a) => /revoke|extend|created|validation|refused/.test(a))).toEqual([]);
    // A well-formed id still works as before.
    expect((await answers(users.requester, `status ${request.id.toLowerCase()}`)).join('\n')).toContain(request.id);
  });

  test('a request id typed without its dash is the id; one a character short or with a letter ids never use is said as such', async () => {
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    const dashless = request.id.replace('-', '').toLowerCase();
    const status = (await answers(users.requester, `status ${dashless}`)).join('\n');
    expect(status).toContain(request.id);
    expect(status).not.toMatch(/Which request\?/);
    const approver = (await answers(users.approver, `pending ${dashless}`)).join('\n');
    expect(approver).toContain(request.id);

    const short = request.id.slice(0, -1);
    expect((await answers(users.requester, `status ${short}`)).join('\n')).toContain(
      `"${short}" is not a request id: it has 7 letters and digits after "R-", not 8. Request ids are R- and 8 letters and digits, without 0, 1, I, L, O or U`,
    );
    const withO = `${request.id.slice(0, -1)}O`;
    expect((await answers(users.approver, `audit ${withO}`)).join('\n')).toContain(
      `"${withO}" is not a request id: "O" is never in one.`,
    );
    // extend's id slot too, also after --for; nothing is asked for.
    expect((await answers(users.requester, `extend ${short} --for 30d release`)).join('\n')).toContain(
      `"${short}" is not a request id: it has 7 letters and digits after "R-", not 8.`,
    );
    expect((await answers(users.requester, `extend --for 7d ${withO} release`)).join('\n')).toContain(
      `"${withO}" is not a request id: "O" is never in one.`,
    );
    expect((await h.app.store.listByState(['pending'])).map((r) => r.id)).toEqual([request.id]);
    // Any other word still gets the general answer.
    expect((await answers(users.requester, 'status payments')).join('\n')).toContain(
      'Give the request id from the plan card',
    );

    // Withdrawn by its dashless id too.
    await answers(users.requester, `cancel ${dashless}`);
    expect((await h.app.store.get(request.id))!.state).toBe('cancelled');
  });

  test('"Cancel!" typed alone at the reason question stops it, and is no reason of a filed request', async () => {
    expect((await answers(users.requester, 'grant aks-prod contosoacr')).join('\n')).toMatch(
      /Why is the access needed/,
    );
    // Long enough to pass as a reason, had it been read as the answer.
    expect((await answers(users.requester, 'Cancel!!!!!!!!!!')).join('\n')).toContain(
      'Cancelled; nothing was requested.',
    );
    expect(await h.app.store.listByState(['pending'])).toEqual([]);
    expect((await answers(users.requester, 'Help.')).join('\n')).not.toMatch(/Unknown command/);
  });
});

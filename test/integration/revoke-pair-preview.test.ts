/**
 * `revoke CLUSTER REGISTRY` (G17): its confirmation card says what the click will do when several
 * grants hold one role assignment (the last of them deletes it, so the card says "delete", not
 * "keep … still used by" a request revoked in the same click), and stays under Teams' card size
 * at the most requests a pair lists — through the real server and the sandbox emulators.
 */
import { PAIR_REVOKE_LIMIT } from '../../src/flows/revocation-preview';
import { SANDBOX_REGISTRIES, SANDBOX_USERS, sandboxResourceId } from '../../src/sandbox/fixtures';
import { PAIR_STEPS_SHOWN } from '../../src/views/lifecycle-view';
import { type CapturedCall, cardText } from '../helpers/capturing-connector';
import { grantApproved } from '../helpers/grant-approved';
import { type Harness, startHarness, users } from '../helpers/harness';
import type { TeamsUser } from '../helpers/teams-activities';

const contosoId = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);
const second: TeamsUser = { ...SANDBOX_USERS.outsider, name: 'Sam Second' } as TeamsUser;
/** Teams asks for cards under 28 KB; measured as the UTF-8 bytes of the JSON sent. */
const TEAMS_CARD_BYTES = 28_000;
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';

describe('revoke CLUSTER REGISTRY: the confirmation card', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  function assignmentsOn(scope: string) {
    return h.app
      .sandbox!.arm.state.listRoleAssignments()
      .filter((a: { scope: string }) => a.scope.toLowerCase() === scope.toLowerCase());
  }

  /** Says `text` as the approver and returns the bot's card that answers it. */
  async function askCard(text: string, answer: RegExp): Promise<CapturedCall> {
    h.connector.clear();
    await h.say(users.approver, text);
    return h.connector.waitFor((c) => c.op !== 'update' && answer.test(cardText(c.activity)), 5000, answer.source);
  }

  /** The step lines of a lifecycle card (the "• …" text blocks). */
  function steps(call: CapturedCall): string[] {
    const body = call.activity.attachments[0].content.body as Array<Record<string, any>>;
    // The steps' container (the title and warnings are in warning-styled ones).
    return (body.find((b) => b.type === 'Container' && !b.style)?.items ?? []).map((i: { text: string }) => i.text);
  }

  test('two grants on one role assignment: both lines say it is deleted (the click deletes it), not kept for each other', async () => {
    h = await startHarness({ ACRBOT_MIN_ACCESS_DURATION: '1m', ACRBOT_EXPIRY_REMINDERS: 'none' });
    const first = await grantApproved(h, 'aks-prod contosoacr --for 30d deploy payments-api');
    const other = await grantApproved(h, 'aks-prod contosoacr --for 30d second team deploys', second);
    expect(assignmentsOn(contosoId)).toHaveLength(1);

    // One request alone: the other still holds the assignment, so it stays.
    const single = await askCard(`revoke ${first.id} done early`, /Revoke R-/);
    expect(cardText(single.activity)).toContain(`Keep role assignment AcrPull`);
    expect(cardText(single.activity)).toContain(`still used by ${other.id}`);

    const pair = await askCard('revoke aks-prod contosoacr incident 42', /Revoke 2 acrbot requests/);
    const lines = steps(pair);
    expect(lines).toHaveLength(2);
    for (const [id, alsoHeldBy] of [
      [first.id, other.id],
      [other.id, first.id],
    ]) {
      const line = lines.find((l) => l.includes(`${id} (`));
      expect(line).toMatch(/: delete role assignment AcrPull/);
      expect(line).toContain(`also held by ${alsoHeldBy}, revoked with it`);
    }
    expect(cardText(pair.activity)).not.toMatch(/keep role assignment|still used by/);

    // The click does what the card said: the assignment is gone once both are revoked.
    await h.click(users.approver, 'revokeConfirm', { requestId: `${first.id},${other.id}`, reason: 'incident 42' });
    await h.app.services.background.drain();
    expect((await h.app.store.get(first.id))!.state).toBe('revoked');
    expect((await h.app.store.get(other.id))!.state).toBe('revoked');
    expect(assignmentsOn(contosoId)).toHaveLength(0);
  });

  test(`${PAIR_REVOKE_LIMIT} grants on one assignment: the card stays under 28 KB, lists a few steps and counts the rest`, async () => {
    h = await startHarness({ ACRBOT_MIN_ACCESS_DURATION: '1m', ACRBOT_EXPIRY_REMINDERS: 'none' });
    const real = await grantApproved(h, 'aks-prod contosoacr --for 30d deploy payments-api');
    // The same grant under other ids, as if many teams had asked: all hold the one assignment.
    const ids = [real.id];
    for (let i = 0; ids.length < PAIR_REVOKE_LIMIT; i++) {
      const id = `R-MANY${ALPHABET[Math.floor(i / 30) % 30]}${ALPHABET[i % 30]}22`;
      await h.app.store.create({
        ...real,
        id,
        requester: { objectId: `0000000${i}`, name: `A Rather Long Display Name Of Requester ${'\u4e2d'.repeat(80)}` },
      });
      ids.push(id);
    }

    // The audit and preview of one request name a few holders and count the rest.
    const single = await askCard(`revoke ${real.id} done early`, /Revoke R-/);
    expect(cardText(single.activity)).toMatch(
      new RegExp(`still used by R-MANY\\w{4}, R-MANY\\w{4}, R-MANY\\w{4} and ${PAIR_REVOKE_LIMIT - 4} others`),
    );

    const pair = await askCard(
      `revoke aks-prod contosoacr ${'\u4e8b\u6545'.repeat(200)} incident`,
      new RegExp(`Revoke ${PAIR_REVOKE_LIMIT} acrbot requests`),
    );
    const card = pair.activity.attachments[0].content;
    expect(Buffer.byteLength(JSON.stringify(card), 'utf8')).toBeLessThan(TEAMS_CARD_BYTES);
    const lines = steps(pair);
    expect(lines.length).toBeLessThanOrEqual(PAIR_STEPS_SHOWN + 1);
    const listed = lines.length - 1;
    expect(lines[listed]).toBe(
      `• …and ${PAIR_REVOKE_LIMIT - listed} more steps (of ${PAIR_REVOKE_LIMIT - listed} more requests) not listed here; they are carried out too ("revoke REQUEST-ID" shows one request's).`,
    );
    for (const line of lines.slice(0, listed)) {
      expect(line).toContain('delete role assignment AcrPull');
      expect(line).toMatch(/also held by R-\w{8}, R-\w{8}, R-\w{8} and 196 others, revoked with it/);
    }
    // The button still revokes every one of them.
    expect(card.actions[0].title).toBe(`Revoke all ${PAIR_REVOKE_LIMIT}`);
    expect(new Set(card.actions[0].data.requestId.split(','))).toEqual(new Set(ids));
  });
});

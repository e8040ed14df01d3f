/**
 * G12 for secrets pasted where they do not belong: into the grant form, as an answer to a
 * question, as a message. Each is refused, and what acrbot then shows — the "planning" card, the
 * form put back with its error (an update every member of the conversation sees), the question
 * asked again, the unknown-command card — carries the secret neither in its text nor in a
 * pre-filled field. Nothing is requested.
 */
import { cardText } from '../helpers/capturing-connector';
import { grantFormPosted } from '../helpers/grant-form';
import { type Harness, startHarness, users } from '../helpers/harness';
import { clickInThread } from '../helpers/thread-click';
import { ACCOUNT_KEY, PASSWORD } from '../helpers/secret-sentinels';

/** Every character a card answer shows or holds, as one string. */
const shown = (res: { body: any }): string => JSON.stringify(res.body?.value ?? res.body);

describe('secrets pasted into the grant form, an answer or a message never come back in a card', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ ACRBOT_REQUESTS_PER_MINUTE: '1000', ACRBOT_MAX_PENDING_PER_USER: '50' });
  });
  afterAll(async () => {
    await h?.stop();
  });

  const requestCount = async () =>
    (await h.app.store.listByState(['pending', 'approved', 'executing', 'succeeded', 'failed'], 1000)).length;

  /** Asks for the form, submits it, and returns the planning answer and the form's updated message. */
  async function submit(fields: Record<string, string>): Promise<{ answer: string; form: string }> {
    const { activityId: formId } = await grantFormPosted(h);
    const res = await clickInThread(h, users.requester, 'grantForm', { form: 'grant', ...fields }, formId);
    expect(res.status).toBe(200);
    const update = await h.connector.waitFor(
      (c) => c.op === 'update' && c.activityId === formId,
      10_000,
      `the form ${formId} put back with its error`,
    );
    return { answer: shown(res), form: JSON.stringify(update.activity) };
  }

  test('a password as the reason: refused as a credential; the form comes back without it', async () => {
    const before = await requestCount();
    const { answer, form } = await submit({
      cluster: 'aks-prod',
      registry: 'contosoacr',
      reason: `deploy payments-api with password=${PASSWORD}`,
    });
    expect(answer).not.toContain(PASSWORD);
    expect(form).toContain('looks like it contains a credential');
    expect(form).not.toContain(PASSWORD);
    // The rest of what was typed is kept, so only the secret needs retyping.
    expect(form).toContain('deploy payments-api with password=[redacted]');
    expect(await requestCount()).toBe(before);
  });

  test('a connection string as the cluster: the planning card, the error and the field show it scrubbed', async () => {
    const before = await requestCount();
    const { answer, form } = await submit({
      cluster: `AccountKey=${ACCOUNT_KEY}`,
      registry: 'contosoacr',
      reason: 'deploy payments-api',
    });
    expect(answer).not.toContain(ACCOUNT_KEY);
    expect(answer).toContain('AccountKey=[redacted]');
    expect(form).toContain('is not a valid');
    expect(form).not.toContain(ACCOUNT_KEY);
    expect(await requestCount()).toBe(before);
  });

  test('an over-long reason holding a secret: refused at once, the form answered without it', async () => {
    const res = await clickInThread(h, users.requester, 'grantForm', {
      form: 'grant',
      cluster: 'aks-prod',
      registry: 'contosoacr',
      reason: `password=${PASSWORD} ${'x'.repeat(600)}`,
    });
    expect(res.status).toBe(200);
    expect(shown(res)).toContain('keep it under 500');
    expect(shown(res)).not.toContain(PASSWORD);
  });

  test('the question-and-answer: an answer that is a secret is asked again without it', async () => {
    const before = h.connector.calls.length;
    await h.say(users.requester, 'grant aks-prod', 'personal');
    await h.connector.waitFor(
      (c) => h.connector.calls.indexOf(c) >= before && /Which registry/.test(cardText(c.activity)),
      10_000,
      'the registry question',
    );
    const asked = h.connector.calls.length;
    expect((await h.say(users.requester, `AccountKey=${ACCOUNT_KEY}`, 'personal')).status).toBe(200);
    const again = await h.connector.waitFor(
      (c) => h.connector.calls.indexOf(c) >= asked && /not a valid registry name/.test(cardText(c.activity)),
      10_000,
      'the registry question asked again',
    );
    expect(cardText(again.activity)).toContain('AccountKey=[redacted]');
    for (const call of h.connector.calls.slice(before))
      expect(JSON.stringify(call.activity)).not.toContain(ACCOUNT_KEY);
    expect((await h.say(users.requester, 'cancel', 'personal')).status).toBe(200);
  });

  test('a message that is a secret: "not an acrbot command", without repeating any of it', async () => {
    for (const pasted of [`AccountKey=${ACCOUNT_KEY}`, `${PASSWORD}${ACCOUNT_KEY}`]) {
      const answer = await h.ask(users.requester, pasted);
      expect(answer).toContain('That is not an acrbot command');
      // Not even the lowercased first 40 characters the verb is cut to.
      expect(answer.toLowerCase()).not.toContain(ACCOUNT_KEY.slice(0, 12).toLowerCase());
      expect(answer.toLowerCase()).not.toContain(PASSWORD.slice(0, 12).toLowerCase());
    }
    // A mistyped command is still named.
    expect(await h.ask(users.requester, 'grnat aks-prod contosoacr')).toContain('"grnat" is not an acrbot command');
  });
});

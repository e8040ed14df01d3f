/**
 * A first-time requester's ways of writing to acrbot, through the real app (sandbox mode), each
 * read as what was meant or answered with the way on: a colleague mentioned first inside Teams'
 * `<p>`; "please", "can you" and "hi" after the mention; a command after a sentence, or with a `/`
 * or `:`; a secret written to namespace `default` without a `--namespace`; the help card's example
 * id; `pending` from a requester; and `help` typed at a question, which keeps the question open.
 */
import { COMMAND_HELP } from '../../src/domain/command';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import { channelMessage, postActivity, type TeamsUser } from '../helpers/teams-activities';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ ACRBOT_REQUESTS_PER_MINUTE: '1000', ACRBOT_READS_PER_10_MINUTES: '1000' });
});
afterAll(async () => {
  await h?.stop();
});

/** The texts of everything acrbot sent in answer to `activity`, one per line (sent before the HTTP answer). */
async function answersTo(activity: Record<string, unknown>): Promise<string> {
  const before = h.connector.calls.length;
  expect((await postActivity(h.app.url, activity)).status).toBe(200);
  return h.connector.calls
    .slice(before)
    .map((c) => cardText(c.activity))
    .join('\n');
}

/** A channel message whose whole text (HTML, as Teams sends it) is `html`; it mentions acrbot. */
function channelHtml(user: TeamsUser, html: string): Record<string, unknown> {
  return { ...channelMessage(user, '', { serviceUrl: h.serviceUrl }), text: html };
}

/** Says `text` in a 1:1 chat with acrbot. */
const inChat = (user: TeamsUser, text: string) => h.turnReplies(user, text, 'personal');

/** Withdraws the request a plan card in `said` names (so the pair may be asked again). */
async function withdraw(said: string): Promise<void> {
  const id = /R-[2-9A-Z]{8}/.exec(said)?.[0];
  expect(id).toBeDefined();
  expect(await inChat(users.requester, `cancel ${id}`)).toMatch(/[Cc]ancelled/);
}

/** The help card's example of `verb`, as the answers quote it. */
const example = (verb: string) => `@acrbot ${COMMAND_HELP.find((c) => c.verb === verb)!.example}`;

const pendingCount = async () => (await h.app.store.listByState(['pending'], 1000)).length;

describe('the command after the mention', () => {
  test.each([
    ['<p>', '</p>'],
    ['<div>', '</div>'],
  ])('a colleague mentioned first inside %s: the command is still read', async (open, close) => {
    const said = await answersTo(
      channelHtml(
        users.requester,
        `${open}<at>Alex Approver</at> <at>acrbot</at> grant aks-dev contosoacr deploy payments-api${close}`,
      ),
    );
    expect(said).toContain('Grant AcrPull to aks-dev on contosoacr');
    expect(said).not.toMatch(/Unknown command|is not an acrbot command/);
    await withdraw(said);
  });

  test.each(['please grant', 'can you grant', 'Hi, could you please grant'])(
    '"@acrbot %s …": the grant',
    async (start) => {
      const said = await answersTo(
        channelHtml(users.requester, `<p><at>acrbot</at> ${start} aks-dev contosoacr deploy payments-api</p>`),
      );
      expect(said).toContain('Grant AcrPull to aks-dev on contosoacr');
      // The words of courtesy are no part of the reason.
      expect((await h.app.store.listByState(['pending'], 1000)).map((r) => r.reason)).toContain('deploy payments-api');
      await withdraw(said);
    },
  );

  test.each(['hi', 'Hello!', 'ok hi'])('"@acrbot %s" alone: the help card', async (greeting) => {
    const said = await answersTo(channelHtml(users.requester, `<p><at>acrbot</at> ${greeting}</p>`));
    expect(said).toContain('acrbot commands');
    expect(said).not.toContain('Unknown command');
  });

  test('"hi" in a chat with acrbot: the help card', async () => {
    expect(await inChat(users.requester, 'hi')).toContain('acrbot commands');
  });

  test('courtesy that goes on with no command is still unknown, and quoted as before', async () => {
    const said = await inChat(users.requester, 'can you tell me what to do');
    expect(said).toContain('"can" is not an acrbot command. Type "@acrbot help" to see them all.');
  });
});

describe('a command acrbot does not read where it is', () => {
  test('after a sentence, then the mention: start with @acrbot and the command; nothing requested', async () => {
    const before = await pendingCount();
    const said = await answersTo(
      channelHtml(
        users.requester,
        '<p>Hi team, I need pull access. <at>acrbot</at> grant aks-dev contosoacr deploy payments-api</p>',
      ),
    );
    expect(said).toContain('"hi" is not an acrbot command');
    expect(said).toContain(
      `Start the message with @acrbot and the command, e.g. "${example('grant')}". Nothing was requested.`,
    );
    expect(await pendingCount()).toBe(before);
  });

  test('"@acrbot" typed after a sentence in a chat: the same way on', async () => {
    const said = await inChat(users.requester, 'I need access for my cluster @acrbot status');
    expect(said).toContain('"i" is not an acrbot command');
    expect(said).toContain(`e.g. "${example('status')}"`);
  });

  test('a sentence with no command after the mention: the plain answer', async () => {
    const said = await answersTo(channelHtml(users.requester, '<p>Thanks all <at>acrbot</at> is great</p>'));
    expect(said).toContain('"thanks" is not an acrbot command. Type "@acrbot help" to see them all.');
  });

  test.each([
    ['grant: aks-dev contosoacr deploy payments-api', '"grant:" is not an acrbot command: write grant without the ":"'],
    ['/grant aks-dev contosoacr deploy payments-api', '"/grant" is not an acrbot command: write grant without the "/"'],
    ['/secret: aks-dev contosoacr pulls', '"/secret:" is not an acrbot command: write secret without the "/" and ":"'],
  ])('%s: quoted, with how to write it; nothing requested', async (typed, answer) => {
    const before = await pendingCount();
    const said = await inChat(users.requester, typed);
    expect(said).toContain(answer);
    expect(said).toContain('Nothing was requested.');
    expect(await pendingCount()).toBe(before);
  });
});

describe('a pull secret to namespace default', () => {
  const NOTE = 'default: pods in other namespaces cannot use this secret;';

  test('without --namespace: the plan card says so', async () => {
    const said = await inChat(users.requester, 'secret aks-dev contosoacr pulling images for payments');
    expect(said).toContain('Pull secret for contosoacr in aks-dev (default/acr-auth)');
    expect(said).toContain(NOTE);
    expect(said).toContain('its requester can cancel this request and ask again with --namespace NAME');
    await withdraw(said);
  });

  test('through the questions of a bare "secret", the namespace asked and "default" answered: the plan card says so too', async () => {
    expect(await inChat(users.requester, 'secret')).toMatch(/Which cluster/);
    expect(await inChat(users.requester, 'aks-dev')).toMatch(/Which registry/);
    expect(await inChat(users.requester, 'contosoacr')).toMatch(/Which Kubernetes namespace/);
    expect(await inChat(users.requester, 'default')).toMatch(/Why is the access needed/);
    const said = await inChat(users.requester, 'pulling images for payments');
    expect(said).toContain('Pull secret for contosoacr in aks-dev (default/acr-auth)');
    expect(said).toContain(NOTE);
    await withdraw(said);
  });

  test('with --namespace default typed: the same line, which does not say none was given', async () => {
    const said = await inChat(users.requester, 'secret aks-dev contosoacr --namespace default pulling images');
    expect(said).toContain('Pull secret for contosoacr in aks-dev (default/acr-auth)');
    expect(said).toContain(NOTE);
    expect(said).not.toContain('no --namespace');
    await withdraw(said);
  });

  test('with --namespace payments: no such line', async () => {
    const said = await inChat(users.requester, 'secret aks-dev contosoacr --namespace payments pulling images');
    expect(said).toContain('Pull secret for contosoacr in aks-dev (payments/acr-auth)');
    expect(said).not.toContain('pods in other namespaces cannot use this secret');
    await withdraw(said);
  });
});

describe('a requester looking for their requests', () => {
  test("the help card's example id: not there, and status alone lists yours", async () => {
    const said = await inChat(users.requester, 'status R-7K2M9QXA');
    expect(said).toContain('There is no request R-7K2M9QXA');
    expect(said).toContain('type "@acrbot status" alone to list your requests');
  });

  test('pending from a requester: status alone lists their own', async () => {
    const said = await inChat(users.requester, 'pending');
    expect(said).toContain('Only approvers can list pending requests.');
    expect(said).toContain('To see your own requests, type "@acrbot status" alone');
  });
});

describe('help at a question', () => {
  test.each([
    ['help', 'the registry question', 'grant aks-dev', ['contosoacr', 'deploy payments-api']],
    ['help', 'the reason question', 'grant aks-dev contosoacr', ['deploy payments-api']],
    ['hi', 'the registry question', 'grant aks-dev', ['contosoacr', 'deploy payments-api']],
  ])('%s at %s: the help card, the question stays open, the next answers answer it', async (typed, _q, start, rest) => {
    await inChat(users.requester, start);
    const said = await inChat(users.requester, typed);
    expect(said).toContain('acrbot commands');
    expect(said).toContain('The request you were filling in still waits for your answer (type "cancel" to stop it).');
    expect(said).not.toMatch(/is stopped|dropped/);
    let last = '';
    for (const answer of rest) last = await inChat(users.requester, answer);
    expect(last).toContain('Grant AcrPull to aks-dev on contosoacr');
    await withdraw(last);
  });

  test('in a channel: said how to answer there', async () => {
    const thread = channelMessage(users.requester, 'grant aks-dev', { serviceUrl: h.serviceUrl });
    expect(await answersTo(thread)).toMatch(/Which registry/);
    const help = { ...thread, id: `${String(thread.id)}1`, text: '<at>acrbot</at> help' };
    const said = await answersTo(help);
    expect(said).toContain('acrbot commands');
    expect(said).toContain(
      'still waits for your answer (type "@acrbot cancel" to stop it). Reply in this thread starting with @acrbot.',
    );
    expect(await answersTo({ ...thread, id: `${String(thread.id)}2`, text: '<at>acrbot</at> cancel' })).toContain(
      'Cancelled; nothing was requested.',
    );
  });
});

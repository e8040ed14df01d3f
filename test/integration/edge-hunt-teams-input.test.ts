/**
 * What Teams (or a damaged card, an old client, a redelivery) can send acrbot at its edge, and
 * what acrbot must answer: a card click whose envelope is broken or whose verb acrbot does not
 * know is a 400 in Teams' error shape with a fixed sentence (audited, nothing changes); an
 * unexpected error in a click acrbot handles is a 500 with the reference, never a 501; a message
 * with no text but a card submit or a file is answered as such and leaves an open question
 * open; text acrbot cannot read as a string is no unexpected error; and "acrbot was added"
 * delivered again posts no second help card.
 */
import type { AuditEntry } from '../../src/domain/audit-chain';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import { cardAction, channelMessage, personalMessage, postActivity } from '../helpers/teams-activities';

describe('the Teams edge: clicks and messages acrbot cannot act on', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ ACRBOT_REQUESTS_PER_MINUTE: '1000', ACRBOT_MAX_PENDING_PER_USER: '50' });
  }, 60_000);
  afterAll(() => h?.stop());

  const o = () => ({ serviceUrl: h.serviceUrl });
  const lastSeq = async (): Promise<number> => (await h.app.audit.latest(1))[0]?.seq ?? 0;
  const auditSince = async (seq: number): Promise<AuditEntry[]> =>
    (await h.app.audit.latest(200)).filter((e) => e.seq > seq);
  const errorLines = () => h.logs.entries().filter((e) => (e.level as number) >= 50);
  /** A click by the approver whose `value` is reshaped by `change`. */
  const click = (change: (a: Record<string, any>) => void, requestId = 'R-ZZZZZZZZ') => {
    const a = cardAction(users.approver, 'approve', { requestId }, o()) as Record<string, any>;
    change(a);
    return a;
  };
  /** The cards and texts acrbot sent after call number `before`. */
  const sentSince = (before: number) =>
    h.connector.calls
      .slice(before)
      .map((c) => `${String((c.activity as { text?: unknown }).text ?? '')} ${cardText(c.activity)}`);

  test.each<[string, (a: Record<string, any>) => void]>([
    ['no action', (a) => (a.value = { trigger: 'manual' })],
    ['a value that is a string', (a) => (a.value = 'approve')],
    ['an action type that is an object', (a) => (a.value.action.type = { name: 'Action.Submit<script>' })],
    ['an Action.Submit', (a) => (a.value.action.type = 'Action.Submit')],
    ['a verb that is a number', (a) => (a.value.action.verb = 42)],
    ['data that is an array', (a) => (a.value.action.data = ['R-ZZZZZZZZ'])],
    ['data that is a string', (a) => (a.value.action.data = 'R-ZZZZZZZZ')],
    ['grant form without data', (a) => Object.assign(a.value.action, { verb: 'grantForm', data: null })],
    ['an unknown verb carrying a link', (a) => (a.value.action.verb = '[open](https://evil.example/x)')],
    ['a verb of an older or other card', (a) => (a.value.action.verb = 'approveRequest')],
  ])('a click with %s: 400 in Teams error shape, a fixed sentence, audited, nothing changes', async (_name, change) => {
    const request = await h.requestGrant(users.requester, `aks-prod contosoacr edge click ${_name.slice(0, 20)}`);
    const seq = await lastSeq();
    const errorsBefore = errorLines().length;
    const before = h.connector.calls.length;
    const res = await postActivity(h.app.url, click(change, request.id));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      statusCode: 400,
      type: 'application/vnd.microsoft.error',
      value: { code: 'BadRequest', message: expect.stringContaining('nothing was changed') },
    });
    // Nothing of the click is quoted back.
    expect(JSON.stringify(res.body)).not.toMatch(/evil|object Object|script|42|approveRequest|Action\.Submit/);
    await h.app.services.background.drain();
    expect(sentSince(before)).toEqual([]);
    expect((await h.app.store.get(request.id))!.state).toBe('pending');
    const refusals = (await auditSince(seq)).filter((e) => e.action === 'validation.failed');
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({ actor: { objectId: users.approver.objectId } });
    expect(refusals[0]!.outcome).toMatch(/^(badCardAction|unknownCardVerb)$/);
    expect(JSON.stringify(refusals[0])).not.toMatch(/evil|script/);
    // A malformed click is the caller's problem, not an unexpected error of acrbot's.
    expect(errorLines()).toHaveLength(errorsBefore);
  });

  test.each(['task/fetch', 'composeExtension/query', 'composeExtension/fetchTask'])(
    'an invoke acrbot does not support (%s) stays 501 with no body (CONTRACTS §6)',
    async (name) => {
      const res = await postActivity(
        h.app.url,
        click((a) => (a.name = name)),
      );
      expect(res).toEqual({ status: 501, body: undefined });
    },
  );

  test('an unexpected error in a click acrbot handles: 500 in Teams error shape with the reference, not a bare 501', async () => {
    // A grant-form click without a conversation: the form's planning cannot read where it came from.
    const activity = click((a) => {
      Object.assign(a.value.action, {
        verb: 'grantForm',
        data: { form: 'grant', cluster: 'aks-prod', registry: 'contosoacr', reason: 'deploy payments-api now' },
      });
      delete a.conversation;
    });
    const errorsBefore = errorLines().length;
    const res = await postActivity(h.app.url, activity);
    expect(res.status).toBe(500);
    const reference = `turn-${activity.id as string}`;
    expect(res.body).toEqual({
      statusCode: 500,
      type: 'application/vnd.microsoft.error',
      // The one unexpected-error sentence (message-view.ts), as the chat's cards and the tab say it.
      value: {
        code: 'InternalError',
        message: `Something unexpected went wrong. Try again in a minute, or give the platform team reference ${reference}.`,
      },
    });
    expect(JSON.stringify(res.body)).not.toMatch(/Cannot read|TypeError|undefined|\.ts:|node_modules/);
    const errors = errorLines().slice(errorsBefore);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ msg: 'unhandled error in turn', correlationId: reference });
  });

  test('a card submit sent as a message (no text) is answered as such; the open question stays open', async () => {
    const say = (text: string) => postActivity(h.app.url, personalMessage(users.requester, text, o()));
    let before = h.connector.calls.length;
    await say('grant aks-prod');
    await h.connector.waitFor(
      (c) => h.connector.calls.indexOf(c) >= before && /Which registry/.test(JSON.stringify(c.activity)),
      10_000,
      'the registry question',
    );
    before = h.connector.calls.length;
    const submit = personalMessage(users.requester, '', o()) as Record<string, any>;
    delete submit.text;
    submit.value = { requestId: 'R-ZZZZZZZZ', comment: 'ok' };
    expect((await postActivity(h.app.url, submit)).status).toBe(200);
    const answer = sentSince(before).join('\n');
    expect(answer).toContain('That button does not work here');
    expect(answer).not.toMatch(/acrbot commands|stopped|dropped/);
    // The registry question is still the one open: its answer moves on to the next question.
    before = h.connector.calls.length;
    await say('contosoacr');
    await h.connector.waitFor(
      (c) => h.connector.calls.indexOf(c) >= before && /Why is the access needed/.test(JSON.stringify(c.activity)),
      10_000,
      'the reason question',
    );
    expect(sentSince(before).join('\n')).not.toMatch(/stopped|dropped|Unknown command/);
    await say('cancel');
  });

  test('a message with only an image is answered as such; "@acrbot" alone still shows help', async () => {
    const image = personalMessage(users.requester, '', o()) as Record<string, any>;
    delete image.text;
    image.attachments = [
      { contentType: 'image/png', contentUrl: 'https://example.invalid/a.png' },
      { contentType: 'text/html', content: '<div><img src="https://example.invalid/a.png"></div>' },
    ];
    let before = h.connector.calls.length;
    expect((await postActivity(h.app.url, image)).status).toBe(200);
    expect(sentSince(before).join('\n')).toMatch(/acrbot reads typed text only[\s\S]*nothing was changed/);

    // A bare mention carries Teams' text/html copy of the message: that is no file.
    const bare = channelMessage(users.requester, '', o()) as Record<string, any>;
    bare.attachments = [{ contentType: 'text/html', content: '<div><at>acrbot</at></div>' }];
    before = h.connector.calls.length;
    await postActivity(h.app.url, bare);
    expect(sentSince(before).join('\n')).toContain('acrbot commands');
  });

  test.each<[string, (a: Record<string, any>) => void, RegExp]>([
    ['a text that is an object', (a) => (a.text = { nested: ['grant'] }), /acrbot commands/],
    [
      'a mention entity without `mentioned`',
      (a) => (a.entities = [{ type: 'mention', text: '<at>acrbot</at>' }]),
      /acrbot commands/,
    ],
    ['entities that are no array', (a) => (a.entities = 'mention'), /acrbot commands/],
    ['an entity that is null', (a) => (a.entities = [null, ...(a.entities as unknown[])]), /acrbot commands/],
  ])('%s: answered, no unexpected error', async (_name, change, expected) => {
    const a = channelMessage(users.requester, 'help', o()) as Record<string, any>;
    change(a);
    const errorsBefore = errorLines().length;
    const before = h.connector.calls.length;
    expect((await postActivity(h.app.url, a)).status).toBe(200);
    const answer = sentSince(before).join('\n');
    expect(answer).toMatch(expected);
    expect(answer).not.toContain('Something unexpected');
    expect(errorLines()).toHaveLength(errorsBefore);
  });

  test.each([
    ['a zero-width space', '\u200bstatus R-ZZZZZZZZ'],
    ['a byte-order mark and a word joiner', 'status\uFEFF\u2060 R-ZZZZZZZZ'],
    ['a numeric zero-width entity', 'status&#8203; R-ZZZZZZZZ'],
    ['an <at> tag with attributes', '<at id="1">Alex Approver</at> status R-ZZZZZZZZ'],
  ])('a command with %s is read as the command', async (_name, text) => {
    expect(await h.ask(users.requester, text)).toContain('There is no request R-ZZZZZZZZ');
  });

  test('"acrbot was added" delivered again or repeated posts one help card per conversation', async () => {
    const added = (conversationId: string) => {
      const m = channelMessage(users.requester, '', o()) as Record<string, any>;
      const { text: _text, entities: _entities, ...rest } = m;
      return {
        ...rest,
        type: 'conversationUpdate',
        conversation: { ...m.conversation, id: conversationId },
        membersAdded: [{ id: m.recipient.id }],
        channelData: { ...m.channelData, eventType: 'teamMemberAdded' },
      };
    };
    const helpCardsIn = (conversationId: string) =>
      h.connector.calls.filter(
        (c) => c.conversationId === conversationId && cardText(c.activity).includes('acrbot commands'),
      );
    const first = added('19:edge-welcome@thread.tacv2');
    for (const activity of [first, first, added('19:edge-welcome@thread.tacv2'), added('19:edge-welcome@thread.tacv2')])
      expect((await postActivity(h.app.url, activity)).status).toBe(200);
    expect(helpCardsIn('19:edge-welcome@thread.tacv2')).toHaveLength(1);
    // Another conversation is welcomed on its own.
    await postActivity(h.app.url, added('19:edge-welcome-other@thread.tacv2'));
    expect(helpCardsIn('19:edge-welcome-other@thread.tacv2')).toHaveLength(1);
  });
});

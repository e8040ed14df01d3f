/**
 * Approval reminders mention their approvers by display name, read from Microsoft Graph in the
 * read each nudge makes of its approvers' accounts (`GET /users?$filter=id in (…) and
 * accountEnabled eq true&$select=id,displayName`): Teams shows the `<at>` text in the notification,
 * the activity feed and to a screen reader, where "approver 1" told nobody they were the one
 * asked. A display name is user text: a hostile one cannot close the tag, add a mention, a link or
 * markdown; one with nothing visible, and every one when Graph cannot be read, is "approver N".
 * The real app over the sandbox emulators (the Graph emulator's directory), with a test clock.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resetUnreadNamedWarning } from '../../src/flows/approver-groups-read';
import { SANDBOX_USERS } from '../../src/sandbox/fixtures';
import type { CapturedCall } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import { TEAM_CHANNEL } from '../helpers/teams-activities';
import { TempDirs } from '../helpers/temp-dirs';

const MINUTE = 60_000;
const tempDirs = new TempDirs();
afterAll(() => tempDirs.removeAll());

/** A named approver whose display name is an attack on the message's markup. */
const MALLORY = '0a000000-0000-4000-8000-0000000bad01';
const HOSTILE_NAME = '</at><at>Eve</at> **boss** [click](https://evil.example/x) <img src=x> & co';
/** A named approver whose display name shows nothing (a zero-width space). */
const BLANK = '0a000000-0000-4000-8000-0000000b1a02';

const APPROVERS = [SANDBOX_USERS.approver.objectId, SANDBOX_USERS.secondApprover.objectId, MALLORY, BLANK];

const POLICY = `version: 1
rules:
  - id: prod
    match: {}
    approvers: { name: Prod approvers, users: [${APPROVERS.map((id) => `"${id}"`).join(', ')}] }
    channel: "${TEAM_CHANNEL}"
    remindAfter: 30m
`;

let now: Date;
const clock = { now: () => now };

async function start(): Promise<Harness> {
  now = new Date('2026-11-30T10:00:00Z');
  const file = join(tempDirs.make('acrbot-nudge-names-'), 'policy.yaml');
  writeFileSync(file, POLICY);
  const h = await startHarness({ ACRBOT_POLICY: file }, { clock, sweepIntervalMs: 0 });
  const directory = h.app.sandbox!.directory;
  directory.addUser({ id: MALLORY, displayName: HOSTILE_NAME, userPrincipalName: 'mallory@sandbox.onmicrosoft.com' });
  directory.addUser({ id: BLANK, displayName: '\u200b', userPrincipalName: 'blank@sandbox.onmicrosoft.com' });
  return h;
}

/** Moves the clock past the reminder and runs what is due. */
async function remindersDue(h: Harness): Promise<void> {
  now = new Date(now.getTime() + 31 * MINUTE);
  await h.app.scheduler.runDue();
  await h.app.services.background.drain();
}

const reminders = (h: Harness): CapturedCall[] =>
  h.connector.calls.filter((c) => c.op !== 'update' && /^Reminder: /.test(String(c.activity.text ?? '')));

/** The `<at>` tags of `text`, as written. */
const tags = (text: string): string[] => text.match(/<at>.*?<\/at>/g) ?? [];

/**
 * Every mention entity stands for exactly one tag of the text, the same text in both, and the text
 * carries no other markup: no tag but those, no `<` outside them.
 */
function expectSoundMentions(text: string, entities: Array<{ type: string; text: string; mentioned: any }>): void {
  const mentions = entities.filter((e) => e.type === 'mention');
  expect(tags(text)).toEqual(mentions.map((m) => m.text));
  for (const m of mentions) {
    expect(m.text).toBe(`<at>${m.mentioned.name}</at>`);
    expect(text.split(m.text)).toHaveLength(2);
  }
  expect(text.split('<')).toHaveLength(mentions.length * 2 + 1);
}

test('a reminder mentions its approvers by their display names, a hostile one inert and one with none by number', async () => {
  const h = await start();
  try {
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    await remindersDue(h);
    const [reminder] = reminders(h);
    expect(reminders(h)).toHaveLength(1);
    const { text, entities } = reminder!.activity as { text: string; entities: any[] };
    expect(text).toContain(`Reminder: request ${request.id} `);

    const mentions = entities.filter((e) => e.type === 'mention');
    expect(mentions.map((m) => m.mentioned.id.toLowerCase())).toEqual(APPROVERS.map((id) => id.toLowerCase()));
    const [alex, megan, mallory, blank] = mentions.map((m) => m.mentioned.name as string);
    expect([alex, megan, blank]).toEqual(['Alex Approver', 'Megan Developer', 'approver 4']);
    expect(text).toContain('Prod approvers (<at>Alex Approver</at>, <at>Megan Developer</at>, <at>');
    expect(text).toContain('<at>approver 4</at>), please decide');

    // The hostile name shows as typed, and is text: HTML-escaped, its tags broken, its link
    // scheme split, its markdown marks escaped.
    expect(mallory).toContain('&lt;/\u200bat&gt;&lt;\u200bat&gt;Eve');
    expect(mallory).toContain('\\*\\*boss\\*\\*');
    expect(mallory).toContain('https:\u200b//evil.example');
    expect(mallory).toContain('&lt;img src=x&gt; &amp; co');
    expect(mallory).not.toMatch(/[<>]|https:\/\/|\]\(/);
    expectSoundMentions(text, entities);
  } finally {
    await h.stop();
  }
});

test("a reminder whose read of the approvers' accounts Graph refuses mentions them all by number", async () => {
  const h = await start();
  try {
    await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    resetUnreadNamedWarning();
    h.app.sandbox!.graph.faults.add({
      operation: 'users.list',
      status: 403,
      code: 'Authorization_RequestDenied',
      count: 1,
    });
    await remindersDue(h);
    const [reminder] = reminders(h);
    const { text, entities } = reminder!.activity as { text: string; entities: any[] };
    expect(entities.filter((e) => e.type === 'mention').map((m) => m.mentioned.name)).toEqual([
      'approver 1',
      'approver 2',
      'approver 3',
      'approver 4',
    ]);
    expect(text).toContain(
      'Prod approvers (<at>approver 1</at>, <at>approver 2</at>, <at>approver 3</at>, <at>approver 4</at>), please decide',
    );
    expectSoundMentions(text, entities);
    expect(h.logs.entries().map((e) => e['msg'])).toContain(
      "a nudge could not read its approvers' accounts in the directory; it mentions every named approver still waited on",
    );
  } finally {
    await h.stop();
  }
});

test('a grouped reminder of two requests due at once mentions each approver once, by name', async () => {
  const h = await start();
  try {
    const first = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    const second = await h.requestGrant(users.outsider, 'aks-dev contosoacr run the nightly tests');
    await remindersDue(h);
    // A job an older request's post may still take holds back once, a minute (nudge-siblings.ts).
    await remindersDue(h);
    const posts = reminders(h);
    expect(posts).toHaveLength(1);
    const { text, entities } = posts[0]!.activity as { text: string; entities: any[] };
    expect(text).toMatch(/^Reminder: 2 requests are still waiting/);
    expect(text).toContain(first.id);
    expect(text).toContain(second.id);
    const names = entities.filter((e) => e.type === 'mention').map((m) => m.mentioned.name as string);
    expect(names).toHaveLength(4);
    expect([names[0], names[1], names[3]]).toEqual(['Alex Approver', 'Megan Developer', 'approver 4']);
    expect(names[2]).toContain('&lt;/\u200bat&gt;&lt;\u200bat&gt;Eve');
    expectSoundMentions(text, entities);
  } finally {
    await h.stop();
  }
});

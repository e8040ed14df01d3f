/**
 * The mentions of approval nudges (views/nudge-view.ts, mentionsOf; the grouped nudge's too) show
 * the display names the nudge's read of the directory gave (`signIns.names`), cleaned and made
 * inert: a hostile name cannot close its `<at>` tag, open another, or carry a link or markdown,
 * and the entity's text is always the tag as written in the message. Without a name (none read,
 * none given, nothing visible in it) a mention is "approver N"; two alike are told apart, so each
 * entity's text is one tag of the message.
 */
import type { NudgeSignIns } from '../../src/domain/nudge-group';
import type { PolicyRule } from '../../src/domain/policy';
import { groupedNudgeMessage } from '../../src/views/grouped-nudge-view';
import { escalationMessage, type MentionEntity, mentionsOf, reminderMessage } from '../../src/views/nudge-view';
import { rule, SAM } from './support/policy-fixtures';
import { APPROVER, OUTSIDER, pendingRequest } from './support/requests';

const CARL = '0a000000-0000-4000-8000-0000000ca411';

function prodRule(users: string[]): PolicyRule {
  return rule('prod', { approvers: { users, groups: [], name: 'Prod approvers' } });
}

function pendingUnder(r: PolicyRule, id = 'R-7K2M9QXA') {
  return pendingRequest({ id, policy: { ruleId: r.id, policyHash: 'h', approvalsRequired: 1, rule: r } });
}

function signInsNaming(names: Record<string, string>): NudgeSignIns {
  return { cannotSignIn: new Set(), names: new Map(Object.entries(names).map(([id, n]) => [id.toLowerCase(), n])) };
}

/** The `<at>` tags of `text`, as written. */
const tags = (text: string): string[] => text.match(/<at>.*?<\/at>/g) ?? [];

/** Each entity is one tag of the text, its text that tag, and the text has no markup but the tags. */
function expectSound({ text, entities }: { text: string; entities: MentionEntity[] }): void {
  expect(tags(text)).toEqual(entities.map((e) => e.text));
  for (const e of entities) {
    expect(e.text).toBe(`<at>${e.mentioned.name}</at>`);
    expect(text.split(e.text)).toHaveLength(2);
  }
  expect(text.split('<')).toHaveLength(entities.length * 2 + 1);
}

describe('a nudge names those it mentions', () => {
  const r = prodRule([APPROVER.objectId, SAM.objectId]);
  const request = pendingUnder(r);
  const signIns = signInsNaming({ [APPROVER.objectId]: 'Alex Approver', [SAM.objectId]: 'Megan Developer' });

  test.each([
    ['reminder', reminderMessage],
    ['escalation', escalationMessage],
  ])('the %s mentions each by display name, in the tag and the entity', (_kind, message) => {
    const sent = message(request, r, undefined, signIns);
    expect(sent.text).toContain('Prod approvers (<at>Alex Approver</at>, <at>Megan Developer</at>)');
    expect(sent.entities).toEqual([
      { type: 'mention', text: '<at>Alex Approver</at>', mentioned: { id: APPROVER.objectId, name: 'Alex Approver' } },
      { type: 'mention', text: '<at>Megan Developer</at>', mentioned: { id: SAM.objectId, name: 'Megan Developer' } },
    ]);
    expectSound(sent);
  });

  test('the grouped nudge mentions each once, by display name', () => {
    const other = pendingUnder(r, 'R-8K2M9QXB');
    const sent = groupedNudgeMessage([request, other], 'remind', new Date('2025-01-15T10:00:00Z'), new Map(), signIns);
    expect(sent.text).toContain('Prod approvers (<at>Alex Approver</at>, <at>Megan Developer</at>), please decide');
    expect(sent.entities.map((e) => e.mentioned)).toEqual([
      { id: APPROVER.objectId, name: 'Alex Approver' },
      { id: SAM.objectId, name: 'Megan Developer' },
    ]);
    expectSound(sent);
  });

  test('a name is found whatever the case the policy file spells the id in', () => {
    const upper = prodRule([APPROVER.objectId.toUpperCase()]);
    const sent = reminderMessage(pendingUnder(upper), upper, undefined, signIns);
    expect(sent.entities).toEqual([
      {
        type: 'mention',
        text: '<at>Alex Approver</at>',
        mentioned: { id: APPROVER.objectId.toUpperCase(), name: 'Alex Approver' },
      },
    ]);
  });
});

describe('without a name, a mention is "approver N"', () => {
  const r = prodRule([APPROVER.objectId, SAM.objectId, CARL]);
  const request = pendingUnder(r);

  test('no read (the directory did not answer): every one by number', () => {
    const sent = reminderMessage(request, r);
    expect(sent.entities.map((e) => e.text)).toEqual([
      '<at>approver 1</at>',
      '<at>approver 2</at>',
      '<at>approver 3</at>',
    ]);
    expect(sent.entities.map((e) => e.mentioned.name)).toEqual(['approver 1', 'approver 2', 'approver 3']);
  });

  test.each([
    ['none given', undefined],
    ['nothing visible in it', '\u200b\u202e \u3164'],
    ['blank', '   '],
  ])('a name %s: that one by its place in the list', (_what, name) => {
    const names: Record<string, string> = { [APPROVER.objectId]: 'Alex Approver', [CARL]: 'Carl Approver' };
    if (name !== undefined) names[SAM.objectId] = name;
    const sent = reminderMessage(request, r, undefined, signInsNaming(names));
    expect(sent.entities.map((e) => e.mentioned.name)).toEqual(['Alex Approver', 'approver 2', 'Carl Approver']);
    expectSound(sent);
  });
});

describe('a hostile display name stays text', () => {
  const r = prodRule([APPROVER.objectId, SAM.objectId]);
  const request = pendingUnder(r);
  const named = (hostile: string) =>
    reminderMessage(
      request,
      r,
      undefined,
      signInsNaming({ [APPROVER.objectId]: hostile, [SAM.objectId]: 'Megan Developer' }),
    );

  test.each([
    ['a closing tag and a mention of its own', '</at><at>Everyone</at>'],
    ['an upper-case, spaced tag', '</AT ><At >Everyone</aT>'],
    ['an HTML element', '<img src=x onerror=alert(1)>'],
    ['an entity for a tag', '&lt;/at&gt;&lt;at&gt;Everyone'],
    ['a markdown link', '[Alex](https://evil.example/x)'],
    ['a bare link', 'see www.evil.example or https://evil.example'],
    ['markdown emphasis and code', '**Alex** _the_ ~~boss~~ `x`'],
    ['a line break and a bidi override', 'Alex\n\nApproved: yes \u202eevil'],
  ])('%s: no tag but the two mentions, no link, no markup', (_what, hostile) => {
    const sent = named(hostile);
    expectSound(sent);
    expect(sent.entities).toHaveLength(2);
    const name = sent.entities[0]!.mentioned.name;
    expect(name).not.toMatch(/[<>\n\u202e]|:\/\/|www\.|\]\(/);
    // Markdown marks escaped, and an `&` the client would read as an entity shown as typed.
    expect(name).not.toMatch(/(^|[^\\])[*_~`]/);
    expect(name).not.toMatch(/&(?!amp;|lt;|gt;)/);
    expect(sent.entities[1]!.mentioned.name).toBe('Megan Developer');
  });

  test('the name shows as typed, escaped', () => {
    expect(named('</at><at>**Eve** & co').entities[0]!.mentioned.name).toBe(
      '&lt;/\u200bat&gt;&lt;\u200bat&gt;\\*\\*Eve\\*\\* &amp; co',
    );
  });

  test('a name past 100 characters is cut, as every display name is', () => {
    const name = named('A'.repeat(300)).entities[0]!.mentioned.name;
    expect(name).toBe('A'.repeat(100));
  });
});

describe('two mentions alike are told apart', () => {
  test('two approvers of the same name: the second gets "(2)"', () => {
    const r = prodRule([APPROVER.objectId, SAM.objectId, CARL]);
    const sent = reminderMessage(
      pendingUnder(r),
      r,
      undefined,
      signInsNaming({ [APPROVER.objectId]: 'Alex Kim', [SAM.objectId]: 'alex kim', [CARL]: 'Alex Kim' }),
    );
    expect(sent.entities.map((e) => e.mentioned.name)).toEqual(['Alex Kim', 'alex kim (2)', 'Alex Kim (3)']);
    expectSound(sent);
  });

  test("a name that is another mention's number does not take that mention's tag", () => {
    const mentions = mentionsOf([APPROVER.objectId, OUTSIDER.objectId], new Map([[APPROVER.objectId, 'approver 2']]));
    expect(mentions.map((m) => m.text)).toEqual(['<at>approver 2</at>', '<at>approver 2 (2)</at>']);
    expect(mentions.map((m) => m.mentioned.id)).toEqual([APPROVER.objectId, OUTSIDER.objectId]);
  });
});

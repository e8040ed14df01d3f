/**
 * A reload that refuses the file on disk is logged once; the policy card must say so too, or
 * `@acrbot policy` shows the hash in force as if the file there were it. The source keeps the last
 * refusal (when, and the first problem in one sentence) until a reload takes a good file, and the
 * policy card shows it above the policy still in force, as a notice of its own in the warning
 * colour (not in the paragraph that says which rule applies).
 */
import { writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadPolicy } from '../../src/config/policy-file';
import { PolicySource } from '../../src/config/policy-source';
import { policyCard } from '../../src/views/policy-view';
import { useTempDir } from './support/temp-dir';

const U1 = '0a000000-0000-4000-8000-00000000bbb1';
const policyText = (id: string) => `version: 1\nrules:\n  - id: ${id}\n    approvers: { users: ["${U1}"] }\n`;
/** Refused: its only rule's conditions fit no request. */
const CONTRADICTING = `version: 1\nrules:\n  - id: v2\n    match: { flow: grant, namespace: "team-*" }\n    approvers: { users: ["${U1}"] }\n`;
/** Refused with two problems: no approvers, and an unknown field. */
const TWO_PROBLEMS = 'version: 1\nrules:\n  - id: v3\n    clustr: aks-prod\n';

/** A source holding policy `v1`, over `file`, whose clock reads the times `clock` is set to. */
function sourceAt(file: string) {
  writeFileSync(file, policyText('v1'));
  const clock = { now: new Date('2026-12-04T17:40:12Z') };
  const source = new PolicySource(loadPolicy(policyText('v1'), file), file, undefined, {
    sleep: () => Promise.resolve(),
    now: () => clock.now,
  });
  return { source, clock };
}

describe('PolicySource: the last refused reload', () => {
  const dir = useTempDir('acrbot-policy-refusal-');

  test('none while every reload took its file', async () => {
    const { source } = sourceAt(dir.path('policy.yaml'));
    expect(await source.reload()).toMatchObject({ ok: true, changed: false });
    expect(source.refusal()).toBeUndefined();
  });

  test('a refused file is kept with its time and first problem, the same file refused again keeps its time, a good one clears it', async () => {
    const file = dir.path('policy.yaml');
    const { source, clock } = sourceAt(file);
    writeFileSync(file, CONTRADICTING);
    expect(await source.reload()).toMatchObject({ ok: false });
    expect(source.current().rules[0].id).toBe('v1');
    expect(source.refusal()).toEqual({
      at: '2026-12-04T17:40:12.000Z',
      // One sentence, cut between words (the file's message runs to 281 characters).
      reason:
        'line 4, rules[0].match: fits no request: flow grant fits only grants, and namespace fits only pull ' +
        'secrets (a grant has no namespace), so this rule never applies and the requests it was written for ' +
        'go on to a later, perhaps…',
    });
    // A watcher event or SIGHUP reads the same file again: still the change of 17:40.
    clock.now = new Date('2026-12-04T18:05:00Z');
    await source.reload();
    expect(source.refusal()?.at).toBe('2026-12-04T17:40:12.000Z');
    // Another bad file is another refusal.
    writeFileSync(file, TWO_PROBLEMS);
    await source.reload();
    expect(source.refusal()).toEqual({
      at: '2026-12-04T18:05:00.000Z',
      reason:
        '2 problems, the first at line 3, rules[0].approvers: nobody could approve under this rule: ' +
        'list approvers (users or groups) or use autoApprove',
    });
    writeFileSync(file, policyText('v4'));
    expect(await source.reload()).toMatchObject({ ok: true, changed: true });
    expect(source.refusal()).toBeUndefined();
  });

  test('putting back the file in force clears it too', async () => {
    const file = dir.path('policy.yaml');
    const { source } = sourceAt(file);
    writeFileSync(file, CONTRADICTING);
    await source.reload();
    writeFileSync(file, policyText('v1'));
    expect(await source.reload()).toMatchObject({ ok: true, changed: false });
    expect(source.refusal()).toBeUndefined();
  });

  test('an unreadable file is a refusal, said without its path', async () => {
    const gone = dir.path('gone.yaml');
    const source = new PolicySource(loadPolicy(policyText('v1'), gone), gone, undefined, {
      sleep: () => Promise.resolve(),
      now: () => new Date('2026-12-04T17:00:00Z'),
    });
    await source.reload();
    expect(source.refusal()).toEqual({
      at: '2026-12-04T17:00:00.000Z',
      reason: expect.stringMatching(/^cannot read the file \(ENOENT\): there is no such file/),
    });
    expect(source.refusal()?.reason).not.toContain(gone);
  });
});

/** The card's TextBlocks, in order. */
/** The card's text blocks in order, with their colour; one on a warning-styled background (message.json) reads as Warning. */
const textBlocks = (card: Record<string, unknown>) =>
  (card.body as Array<{ type: string; text?: string; color?: string; style?: string; items?: any[] }>)
    .map((b) => (b.type === 'Container' && b.style === 'warning' ? { ...b.items![0], color: 'Warning' } : b))
    .filter((b) => b.type === 'TextBlock');

describe('policy card: a refused reload', () => {
  const dir = useTempDir('acrbot-policy-refusal-card-');
  const policy = loadPolicy(policyText('v1'), 'policy.yaml').policy;
  const card = (refusedReload?: { at: string; reason: string }) =>
    policyCard({
      cluster: 'aks-prod',
      registry: 'contosoacr',
      policy,
      rule: policy.rules[0],
      sandbox: false,
      refusedReload,
    });

  test('a notice of its own in the warning colour: when the file was read, why it was refused, what is in force', () => {
    const blocks = textBlocks(
      card({
        at: '2026-12-04T17:40:12.000Z',
        reason: 'line 4, rules[0].match: "[see](https://example.com)" fits no flow',
      }),
    );
    const notice = blocks.find((b) => b.color === 'Warning');
    expect(notice?.text).toBe(
      'Not in force: the policy file read at 2026-12-04 17:40 UTC was refused (line 4, rules[0].match: ' +
        '"[see] (https:\u200b//example.com)" fits no flow). The policy below is still the one in force; ' +
        '"npm run policy:check" lists every problem.',
    );
    // Above, and apart from, the paragraph that says which rule applies (which keeps its own colour).
    const applies = blocks.findIndex((b) => b.text?.startsWith('Rule v1 applies'));
    expect(blocks.indexOf(notice!)).toBe(applies - 1);
    expect(blocks[applies].text).toBe('Rule v1 applies (the first rule whose match fits).');
    expect(blocks[applies].color).toBeUndefined();
  });

  test('a refused file as the card shows it: one sentence cut between words, no path, no chain of colons before it', async () => {
    const file = dir.path('policy.yaml');
    const { source } = sourceAt(file);
    writeFileSync(file, CONTRADICTING);
    await source.reload();
    const notice = textBlocks(card(source.refusal())).find((b) => b.color === 'Warning')!.text!;
    expect(notice).toMatch(
      /^Not in force: the policy file read at 2026-12-04 17:40 UTC was refused \(line 4, rules\[0\]\.match: fits no request: .* go on to a later, perhaps…\)\. The policy below is still the one in force; "npm run policy:check" lists every problem\.$/,
    );
    expect(notice).not.toContain(dirname(file));
    expect(notice).not.toMatch(/changed on|refused:/);
  });

  test('a secret quoted by the refused file is not shown (any user may ask for the policy card)', () => {
    const notice = textBlocks(
      card({
        at: '2026-12-04T17:40:12.000Z',
        reason: 'line 9, rules[2].approvers: "password=hunter2-very-secret" is not a group id',
      }),
    ).find((b) => b.color === 'Warning')!.text!;
    expect(notice).not.toContain('hunter2-very-secret');
    expect(notice).toContain('password=[redacted]');
  });

  test('says nothing of it when no reload was refused, and other message cards have no such line', () => {
    expect(JSON.stringify(card())).not.toContain('refused');
    expect(textBlocks(card()).some((b) => b.color === 'Warning')).toBe(false);
  });
});

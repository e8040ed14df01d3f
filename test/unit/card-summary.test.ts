/**
 * The `summary` of a card activity (what a Teams notification and preview show instead of "acrbot
 * sent a card"): the card's title as one plain line, past the sandbox banner, without markdown
 * links, images or tags, cut to 120 characters; set on new posts and updates alike, never `text`.
 */
import { cardActivity } from '../../src/bot/turn-cards';
import { cardSummary, cardTitle, SUMMARY_MAX_CHARS } from '../../src/views/card-summary';
import { messageCard } from '../../src/views/message-view';

const card = (...body: unknown[]) => ({ type: 'AdaptiveCard', version: '1.5', body });
const line = (text: string) => ({ type: 'TextBlock', text, weight: 'Bolder' });

describe('cardSummary', () => {
  test('the title of a template, past the sandbox banner', () => {
    const sandboxed = messageCard({ title: 'Unknown command', text: 'Try "@acrbot help".', sandbox: true });
    expect(JSON.stringify(sandboxed)).toContain('SANDBOX');
    expect(cardSummary(sandboxed)).toBe('Unknown command');
    expect(cardSummary(messageCard({ title: 'Unknown command', text: 'x', tone: 'error', sandbox: false }))).toBe(
      'Unknown command',
    );
  });

  test('a title inside a container or a column is found', () => {
    const inContainer = card({ type: 'Container', style: 'attention', items: [line('Could not revoke')] });
    expect(cardSummary(inContainer)).toBe('Could not revoke');
    const inColumn = card({ type: 'ColumnSet', columns: [{ type: 'Column', items: [line('In a column')] }] });
    expect(cardSummary(inColumn)).toBe('In a column');
  });

  test('markdown links keep their words, images and tags go, a scheme does not become a link', () => {
    expect(
      cardSummary(
        card(line('**Grant** [AcrPull](https://evil.example) to <at>Ada</at> ![x](https://img.example/a.png) now')),
      ),
    ).toBe('Grant AcrPull to Ada now');
    const bare = cardSummary(card(line('see https://evil.example')))!;
    expect(bare).not.toContain('https://');
    expect(bare).toBe('see https:\u200b//evil.example');
  });

  test('bidi controls go and whitespace is one line', () => {
    expect(cardSummary(card(line('Pending\u202E approval\n\n of  R-7K2M9QXA')))).toBe('Pending approval of R-7K2M9QXA');
  });

  test(`cut to ${SUMMARY_MAX_CHARS} characters, with an ellipsis, never inside a character`, () => {
    const long = cardSummary(card(line(`${'a'.repeat(SUMMARY_MAX_CHARS - 2)}😀😀😀`)))!;
    expect(Array.from(long)).toHaveLength(SUMMARY_MAX_CHARS);
    expect(long.endsWith('😀…')).toBe(true);
    const exact = 'b'.repeat(SUMMARY_MAX_CHARS);
    expect(cardSummary(card(line(exact)))).toBe(exact);
  });

  test('a card without text has none', () => {
    expect(cardSummary(card({ type: 'ActionSet', actions: [] }))).toBeUndefined();
    expect(cardSummary(card(line('   ')))).toBeUndefined();
    expect(cardTitle({ type: 'AdaptiveCard' })).toBeUndefined();
  });
});

describe('cardActivity', () => {
  const answer = messageCard({ title: 'Nothing to cancel', text: 'There was nothing to cancel.', sandbox: false });

  test('a new post and an update carry the summary, and no text', () => {
    for (const activity of [cardActivity(answer), cardActivity(answer, 'act-1')]) {
      expect(activity.summary).toBe('Nothing to cancel');
      expect(activity.text).toBeUndefined();
      expect(activity.attachments).toHaveLength(1);
    }
    expect(cardActivity(answer, 'act-1').id).toBe('act-1');
    expect(cardActivity(answer)).not.toHaveProperty('id');
  });

  test('a card without text gets no summary at all', () => {
    expect(cardActivity(card({ type: 'ActionSet', actions: [] }))).not.toHaveProperty('summary');
  });
});

/**
 * A grant form's fields are user text, and a forged click can put anything in them: a cluster
 * `aks-prod\n\n**Approved by Alex Approver**` must not add a line to the cards that echo it
 * (the "Planning your request…" answer, then the form again with the validation error), where
 * everyone in the conversation reads it in acrbot's voice. The fields themselves keep the value
 * as typed (an input's value is not rendered as text).
 */
import { cardText } from '../helpers/capturing-connector';
import { grantFormPosted } from '../helpers/grant-form';
import { type Harness, startHarness, users } from '../helpers/harness';
import { clickInThread } from '../helpers/thread-click';

/** The text of every TextBlock of a card (what is rendered as markdown). */
function textBlocks(card: unknown): string[] {
  const found: string[] = [];
  JSON.stringify(card, (_key, value: unknown) => {
    const block = value as { type?: string; text?: unknown };
    if (block && block.type === 'TextBlock' && typeof block.text === 'string') found.push(block.text);
    return value;
  });
  return found;
}

const FORGED = 'aks-prod\n\n**Approved by Alex Approver**';

describe('a forged grant form echoes its names on one line', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });

  test.each([
    ['cluster', { cluster: FORGED, registry: 'contosoacr' }],
    ['registry', { cluster: 'aks-prod', registry: FORGED.replace('aks-prod', 'contosoacr') }],
  ])('the %s: the planning card and the error keep no line break', async (_field, names) => {
    const form = await grantFormPosted(h);
    const res = await clickInThread(
      h,
      users.requester,
      'grantForm',
      { form: 'grant', ...names, reason: 'deploy payments-api' },
      form.activityId,
    );
    expect(res.status).toBe(200);
    const planning = textBlocks(res.body.value).join('\n\n');
    expect(planning).toContain('Planning your request');
    expect(planning).toContain('**Approved by Alex Approver**');
    for (const text of textBlocks(res.body.value)) expect(text).not.toMatch(/[\r\n]/);

    const error = await h.connector.waitFor(
      (c) => c.op === 'update' && c.activityId === form.activityId && /is not a valid/.test(cardText(c.activity)),
      5000,
      'the form again, with the error',
    );
    const errorTexts = textBlocks(error.activity);
    expect(errorTexts.join('\n\n')).toContain('Approved by Alex Approver');
    for (const text of errorTexts) expect(text).not.toMatch(/[\r\n]/);
  });
});

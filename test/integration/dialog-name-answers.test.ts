/**
 * Answers to "Which cluster…?" and "Which registry…?" that are a whole line (a request pasted,
 * `aks-prod contosoacr "deploys fail"`): refused as more than one name, naming the one name the
 * question takes and what comes next, not as one long invalid name. Nothing of the line is
 * taken, so nothing is filed that was not typed as that answer.
 */
import { type Harness, startHarness, users } from '../helpers/harness';

describe('a whole line at the cluster or registry question', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  /** Says `text` in a chat with acrbot; the texts of everything acrbot answered in that turn. */
  const answers = (text: string) => h.turnReplies(users.requester, text, 'personal');

  const pending = () => h.app.store.listByState(['pending']);

  test('refused naming the one name to type; the questions go on and file what was answered', async () => {
    // "--for 2h" with no names: the questions, which keep the term.
    expect(await answers('grant --for 2h')).toMatch(/Which cluster needs pull access/);

    const pasted = await answers('aks-prod contosoacr "deploys fail"');
    expect(pasted).toBe(
      'That is more than one name: this question takes one cluster (name, resourceGroup/name or resource id). Type just "aks-prod"; the registry and the reason are asked next. (type "cancel" to stop)',
    );
    // Not one long name, and no word of the line taken as the registry.
    expect(await answers('aks-prod to contosoacr')).toContain(
      'Type just its name, e.g. "aks-prod"; the registry and the reason are asked next.',
    );
    expect(await pending()).toEqual([]);

    expect(await answers('aks-prod')).toMatch(/Which registry/);
    expect(await answers('contosoacr deploys fail')).toContain(
      'That is more than one name: this question takes one registry (name or resource id). Type just its name, e.g. "contosoacr"; the reason is asked next.',
    );
    expect(await answers('contosoacr')).toMatch(/Why is the access needed/);
    expect(await answers('deploys of payments fail')).toMatch(/Pending approval/);

    const [filed] = await pending();
    expect(filed.reason).toBe('deploys of payments fail');
    expect(filed.access).toEqual({ durationMs: 2 * 3_600_000 });
    expect(JSON.stringify(filed.plan)).toContain('aks-prod');
  });

  test('a single word is still checked by the name rules', async () => {
    expect(await answers('secret')).toMatch(/Which cluster needs pull access/);
    expect(await answers('aks..prod')).toMatch(/never part of a name/);
    expect(await answers('cancel')).toContain('Cancelled; nothing was requested.');
  });
});

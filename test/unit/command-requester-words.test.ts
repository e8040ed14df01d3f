/**
 * What a requester types that the parser read wrong or answered unhelpfully: a length in months
 * (`for 3 months`, `--for 1mo`, filed with the default term), `grant help` (the whole help card,
 * not grant's usage), a request id with a character ids never use (`revoke r-7k2m9qx0`, looked up
 * upper-cased), the usage's `REASON…` pasted as the reason (told "at least 8 characters"), and
 * `check`/`policy` with the names swapped or joined by `to` (a registry named "to"). Each through
 * the parser, and through the bot over HTTP where the answer is a card.
 */
import { parseCommand } from '../../src/domain/command';
import { UserFacingError } from '../../src/domain/errors';
import { leadingTerm, spelledTerm } from '../../src/domain/term-words';
import { checkReason } from '../../src/domain/text';
import { commandHelpCard, helpCard } from '../../src/views/message-view';
import { cardText } from '../helpers/capturing-connector';
import { startHarness, users, type Harness } from '../helpers/harness';

function refusal(text: string): UserFacingError {
  try {
    parseCommand(text);
  } catch (err) {
    expect(err).toBeInstanceOf(UserFacingError);
    return err as UserFacingError;
  }
  throw new Error(`expected parseCommand(${JSON.stringify(text)}) to throw`);
}

describe('a length in months', () => {
  test.each([
    ['grant aks-prod contosoacr for 3 months deploy payments', '"for 3 months" reads as a length: write --for 90d'],
    ['grant aks-prod contosoacr for a month deploy payments', '"for a month" reads as a length: write --for 30d'],
    ['secret aks-dev contosoacr 2 months of load testing', '"2 months" reads as a length: write --for 60d'],
    ['extend R-7K2M9QXA 1mo more testing', '"1mo" reads as a length: write --for 30d'],
  ])('%j starting the reason is refused with the days to write', (text, said) => {
    const err = refusal(text);
    expect(err.code).toBe('validation.option');
    expect(err.message).toContain(said);
    expect(err.message).toContain('acrbot counts days, weeks and years, not months');
    expect(err.message).toMatch(/Nothing was requested\.$/);
  });

  test('a term past the default maximum is not promised: the note says the limits refuse it', () => {
    // `for 6 months` (180d) is over the default maximum of 90d; the parser knows no limits.
    expect(refusal('grant aks-prod contosoacr for 6 months deploy payments').message).toBe(
      '"for 6 months" reads as a length: write --for 180d (about 6 months: acrbot counts days, weeks and years, not months; a term longer than the limits allow is refused, naming them) before the reason. Nothing was requested.',
    );
  });

  test('whole years are named in years, which --for reads (1y), not as 360 days', () => {
    expect(refusal('grant aks-prod contosoacr for 12 months deploy payments').message).toContain(
      'write --for 1y (12 months is a year: acrbot counts days, weeks and years, not months;',
    );
    expect(refusal('secret aks-dev contosoacr --for 24 months pulls').message).toContain(
      'write --for 2y (24 months is 2 years:',
    );
    expect(spelledTerm('12', 'months')).toEqual({ term: '1y', months: 12, count: 2 });
  });

  test.each([
    [
      'grant aks-prod contosoacr --for 3 months deploy payments',
      '"--for 3 months" is not a term acrbot reads: write --for 90d',
    ],
    [
      'secret aks-dev contosoacr --for 1mo pulls for payments',
      '"--for 1mo" is not a term acrbot reads: write --for 30d',
    ],
  ])('%j after --for is refused with the days to write', (text, said) => {
    const message = refusal(text).message;
    expect(message).toContain(said);
    // Months get the months note, not the generic unit list.
    expect(message).toContain('acrbot counts days, weeks and years, not months');
    expect(message).not.toContain('a number and one of m, h, d, w, y');
  });

  test('weeks keep their answer, and months later in the reason stay prose', () => {
    expect(refusal('grant aks-prod contosoacr for 2 weeks deploy').message).toBe(
      '"for 2 weeks" reads as a length: write --for 2w before the reason. Nothing was requested.',
    );
    expect(parseCommand('grant aks-prod contosoacr load testing for 3 months')).toMatchObject({
      reason: 'load testing for 3 months',
    });
  });

  test('term-words reads months as 30 days each, said as months', () => {
    expect(leadingTerm(['for', '3', 'months,', 'testing'])).toEqual({ typed: 'for 3 months', term: '90d', months: 3 });
    expect(spelledTerm('6', 'months')).toEqual({ term: '180d', months: 6, count: 2 });
    expect(leadingTerm(['2', 'weeks'])).toEqual({ typed: '2 weeks', term: '2w' });
  });
});

describe("a command's help is that command's usage", () => {
  test('the card of one command has its usage, description and example, and the way to the rest', () => {
    const text = JSON.stringify(commandHelpCard('grant', false));
    expect(text).toContain('grant CLUSTER REGISTRY REASON…');
    expect(text).toContain('Example: @acrbot grant aks-prod contosoacr --for 30d deploy payments-api');
    expect(text).toContain('Type @acrbot help to see every command.');
    expect(text).not.toContain('secret CLUSTER REGISTRY');
    expect(text).not.toContain('revoke REQUEST-ID');
    // The whole card is unchanged, and is what a word that is no command gets.
    expect(JSON.stringify(helpCard(false))).toContain('secret CLUSTER REGISTRY');
    expect(JSON.stringify(helpCard(false))).not.toContain('to see every command');
    expect(commandHelpCard('nonsense', false)).toBe(helpCard(false));
  });
});

describe('a request id with a character ids never use', () => {
  test.each(['r-7k2m9qx0', 'R-7K2M9QX0', 'r-7k2m9qxo'])('revoke %s is refused quoting it as typed', (id) => {
    const err = refusal(`revoke ${id} no longer needed`);
    expect(err.code).toBe('validation.requestId');
    expect(err.message).toMatch(new RegExp(`^"${id}" is not a request id: "[0O]" is never in one\\.`));
    expect(err.message).toContain('"@acrbot revoke R-7K2M9QXA"');
  });

  test('a lower-case id ids use is the id, as upper case', () => {
    expect(parseCommand('revoke r-7k2m9qxa no longer needed')).toEqual(
      parseCommand('revoke R-7K2M9QXA no longer needed'),
    );
    expect(parseCommand('revoke r-7k2m9qxa')).toEqual({ verb: 'revoke', requestId: 'R-7K2M9QXA' });
  });
});

describe("the usage's REASON placeholder as the reason", () => {
  test.each(['REASON…', 'REASON...', 'REASON', '[REASON…]'])('%j is told to be replaced', (typed) => {
    expect(() => checkReason(typed)).toThrow(
      `"${typed}" is the usage's placeholder: replace it with the reason itself: say why the access is needed, e.g. "deploy payments-api to prod".`,
    );
  });

  test('other short reasons keep the length rule, and a reason naming the word passes', () => {
    expect(() => checkReason('reason')).toThrow('A reason of at least 8 characters is required');
    expect(checkReason('REASON: deploy payments-api')).toBe('REASON: deploy payments-api');
  });
});

describe('check and policy read their names as grant does', () => {
  test.each(['check', 'policy'])('%s drops "to" between the names', (verb) => {
    expect(parseCommand(`${verb} aks-prod to contosoacr`)).toEqual({
      verb,
      cluster: 'aks-prod',
      registry: 'contosoacr',
    });
    expect(parseCommand(`${verb} aks-prod contosoacr`)).toEqual({ verb, cluster: 'aks-prod', registry: 'contosoacr' });
  });

  test.each(['check', 'policy'])('%s with a login server first is answered "Cluster first"', (verb) => {
    expect(refusal(`${verb} contosoacr.azurecr.io aks-prod`).message).toBe(
      `Cluster first: ${verb} aks-prod contosoacr.azurecr.io ("aks-prod" reads as a cluster, and cannot be a registry: a registry's name is 5–50 letters and digits).`,
    );
    expect(refusal(`${verb} contosoacr.azurecr.io to aks-prod`).message).toMatch(/^Cluster first: /);
  });

  test('a malformed login server first is answered "Cluster first" and by the login server rule', () => {
    const err = refusal('check bad_x.azurecr.io aks-prod');
    expect(err.code).toBe('validation.name');
    expect(err.message).toMatch(
      /^Cluster first: check aks-prod REGISTRY, and "bad_x\.azurecr\.io" is not a valid registry login server: /,
    );
    expect(err.message).not.toContain('cluster name');
    expect(refusal('grant bad_x.azurecr.io aks-prod deploy payments').message).toMatch(
      /^Cluster first: grant aks-prod REGISTRY REASON…, and .* Nothing was requested\.$/,
    );
  });
});

describe('through the bot', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.stop());

  test('"grant help" and "secret --help" answer with that command only', async () => {
    const grant = await h.turnReplies(users.requester, 'grant help', 'personal');
    expect(grant).toContain('grant CLUSTER REGISTRY REASON…');
    expect(grant).not.toContain('secret CLUSTER REGISTRY');
    const secret = await h.turnReplies(users.requester, 'secret --help', 'personal');
    expect(secret).toContain('secret CLUSTER REGISTRY REASON…');
    expect(secret).not.toContain('grant CLUSTER REGISTRY REASON…');
    expect(await h.turnReplies(users.requester, 'help', 'personal')).toContain('secret CLUSTER REGISTRY');
  });

  test('"revoke r-7k2m9qx0" quotes the id as typed', async () => {
    const said = await h.turnReplies(users.requester, 'revoke r-7k2m9qx0', 'personal');
    expect(said).toContain('"r-7k2m9qx0" is not a request id');
    expect(said).not.toContain('R-7K2M9QX0');
  });

  test('a grant with the REASON… placeholder is told to replace it, nothing requested', async () => {
    const said = await h.turnReplies(users.requester, 'grant aks-prod contosoacr REASON…', 'personal');
    expect(said).toContain(`"REASON…" is the usage's placeholder`);
    expect(said).not.toContain('at least 8 characters');
  });

  test('"grant aks-prod contosoacr for 3 months …" is refused with the days to write', async () => {
    const said = await h.turnReplies(
      users.requester,
      'grant aks-prod contosoacr for 3 months deploy payments',
      'personal',
    );
    expect(said).toContain('write --for 90d');
  });

  test('"extend" without a request id is answered with the usage\'s placeholder as help writes it (REASON…)', async () => {
    const said = await h.turnReplies(users.requester, 'extend --for 30d release still running', 'personal');
    expect(said).toContain('Say which request to extend: "extend REQUEST-ID --for 30d REASON…"');
  });

  test('"check contosoacr.azurecr.io aks-prod" is answered "Cluster first"', async () => {
    const said = await h.turnReplies(users.requester, 'check contosoacr.azurecr.io aks-prod', 'personal');
    expect(said).toContain('Cluster first: check aks-prod contosoacr.azurecr.io');
  });
});

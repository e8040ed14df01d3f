/**
 * What a first-time requester types, read by the parser: an option with one dash (`-ns`), a term
 * written any way but `--for 7d` (`7d testing`, `for 2 weeks`, `[--for 7d]`, `--days 7`, `--for 2
 * weeks`), a command's own help (`grant --help`), and the names swapped or joined by "to". Each is
 * refused with what to type (nothing requested) or read as meant; prose stays a reason.
 */
import { resolve } from 'node:path';
import { COMMAND_HELP, parseCommand } from '../../src/domain/command';
import { UserFacingError } from '../../src/domain/errors';
import { checkReasonAnswer, lookalikeCommand, readReasonReply } from '../../src/domain/reason-reply';
import { leadingTerm, spelledTerm } from '../../src/domain/term-words';
import { REPO_ROOT, tsWorkers } from '../helpers/ts-worker';

function refusal(text: string): UserFacingError {
  try {
    parseCommand(text);
  } catch (err) {
    expect(err).toBeInstanceOf(UserFacingError);
    return err as UserFacingError;
  }
  throw new Error(`expected parseCommand(${JSON.stringify(text)}) to throw`);
}

const SECRET_TAKES =
  'The secret command takes --namespace, --name, --kind, --service-account, --for (or --expires) and --repositories. Nothing was requested.';
const GRANT_TAKES =
  'The grant command takes --for (e.g. --for 7d) and --break-glass, before the reason. Nothing was requested.';

describe('an option typed with one dash that names no option', () => {
  test.each([
    ['secret aks-dev contosoacr -ns payments pulling images', 'Unknown option -ns: did you mean --namespace?'],
    ['secret aks-dev contosoacr -ns=payments pulling images', 'Unknown option -ns: did you mean --namespace?'],
    [
      'secret aks-dev contosoacr --namespace payments -sa builder pulling images',
      'Unknown option -sa: did you mean --service-account?',
    ],
    [
      'secret aks-dev contosoacr --namespace payments -repos team/app pulling images',
      'Unknown option -repos: did you mean --repositories?',
    ],
    ['secret aks-dev contosoacr pulling images -ns payments', 'Unknown option -ns: did you mean --namespace?'],
    [
      'secret aks-dev contosoacr -serviceaccount builder pulling',
      'Unknown option -serviceaccount: did you mean --service-account?',
    ],
    ['secret aks-dev contosoacr -zz payments pulling images', 'Unknown option -zz.'],
    ['secret -zz aks-dev contosoacr pulling images', 'Unknown option -zz.'],
    ['secret aks-dev to contosoacr -zz payments pulling images', 'Unknown option -zz.'],
    ['secret aks-dev contosoacr pulling images for the -t 7d run', 'Unknown option -t: did you mean --for 7d?'],
    ['secret aks-dev contosoacr pulling images for the -d 7 run', 'Unknown option -d: did you mean --for 7d?'],
    ['secret aks-dev contosoacr pulling images -repos team/app', 'Unknown option -repos: did you mean --repositories?'],
    [
      'secret aks-dev contosoacr --namespace payments pulling -sa=builder',
      'Unknown option -sa: did you mean --service-account?',
    ],
  ])('secret: %j is refused like a two-dash one', (text, said) => {
    const err = refusal(text);
    expect(err.code).toBe('validation.option');
    expect(err.message).toBe(`${said} ${SECRET_TAKES}`);
  });

  test.each([
    ['secret aks-dev contosoacr --namespace payments needed for the -rc build', 'needed for the -rc build'],
    [
      'secret aks-dev contosoacr --namespace payments docker build -f Dockerfile.prod fails',
      'docker build -f Dockerfile.prod fails',
    ],
    ['secret aks-dev contosoacr pulling images -x86 and -arm builds', 'pulling images -x86 and -arm builds'],
  ])('secret: a one-dash word later in the reason that reads as no option is its text: %j', (text, reason) => {
    expect(parseCommand(text)).toMatchObject({ reason });
  });

  test('a two-dash one gets the option meant too', () => {
    expect(refusal('secret aks-dev contosoacr --ns payments pulling').message).toBe(
      `Unknown option --ns: did you mean --namespace? ${SECRET_TAKES}`,
    );
    expect(refusal('secret aks-dev contosoacr --secret-name regcred pulling').message).toBe(
      `Unknown option --secret-name: did you mean --name? ${SECRET_TAKES}`,
    );
    expect(refusal('secret aks-dev contosoacr --type sp pulling').message).toBe(
      `Unknown option --type: did you mean --kind? ${SECRET_TAKES}`,
    );
  });

  test.each([
    ['grant aks-dev contosoacr -t 7d testing the app', 'Unknown option -t: did you mean --for 7d?'],
    ['grant aks-dev contosoacr -d 7 testing the app', 'Unknown option -d: did you mean --for 7d?'],
    ['grant aks-dev contosoacr -bg prod is down', 'Unknown option -bg: did you mean --break-glass?'],
    ['grant aks-dev contosoacr -ns payments deploying', 'Unknown option -ns.'],
    ['grant -x aks-dev contosoacr deploying', 'Unknown option -x.'],
  ])('grant: %j, where options go, is refused', (text, said) => {
    const err = refusal(text);
    expect(err.code).toBe('validation.option');
    expect(err.message).toBe(`${said} ${GRANT_TAKES}`);
  });

  test.each([
    ['grant aks-dev contosoacr --t 7d testing the app', 'Unknown option --t: did you mean --for 7d?'],
    ['grant aks-dev contosoacr --d 7 testing the app', 'Unknown option --d: did you mean --for 7d?'],
    ['grant aks-dev contosoacr --w 2 testing the app', 'Unknown option --w: did you mean --for 2w?'],
    ['grant aks-dev contosoacr --exp 7d testing the app', 'Unknown option --exp: did you mean --expires 7d?'],
    ['grant aks-dev contosoacr --exp=7d testing the app', 'Unknown option --exp: did you mean --expires 7d?'],
    ['grant aks-dev --t 7d contosoacr testing the app', 'Unknown option --t: did you mean --for 7d?'],
    ['grant aks-dev contosoacr --since 1h pulls fail', 'Unknown option --since.'],
    ['grant --x aks-dev contosoacr deploying', 'Unknown option --x.'],
  ])('grant: %j, two dashes where options go, is refused as with one', (text, said) => {
    const err = refusal(text);
    expect(err.code).toBe('validation.option');
    expect(err.message).toBe(`${said} ${GRANT_TAKES}`);
  });

  test('extend: two dashes where its options go are refused as with one', () => {
    expect(refusal('extend R-7K2M9QXA --t 7d release slipped').message).toBe(
      'Unknown option --t: did you mean --for 7d? The extend command takes --for (e.g. --for 7d), before the reason. Nothing was requested.',
    );
    expect(refusal('extend R7K2M9QXA --exp 7d release slipped').message).toMatch(
      /^Unknown option --exp: did you mean --expires 7d\?/,
    );
  });

  test.each([
    // README: a reason may carry such words after its first word.
    [
      'grant aks-dev contosoacr kubectl logs --since 1h shows ImagePullBackOff',
      'kubectl logs --since 1h shows ImagePullBackOff',
    ],
    ['grant aks-dev contosoacr helm upgrade --timeout 10m fails on pull', 'helm upgrade --timeout 10m fails on pull'],
    ['extend R-7K2M9QXA helm upgrade --t 10m fails on pull', 'helm upgrade --t 10m fails on pull'],
  ])('two dashes later in the reason are its words: %j', (text, reason) => {
    expect(parseCommand(text)).toMatchObject({ reason });
  });

  test('extend: one where its options go is refused the same way', () => {
    expect(refusal('extend R-7K2M9QXA -t 7d release slipped').message).toBe(
      'Unknown option -t: did you mean --for 7d? The extend command takes --for (e.g. --for 7d), before the reason. Nothing was requested.',
    );
  });

  test('one dash before an option acrbot has is still that option', () => {
    expect(parseCommand('grant aks-dev contosoacr -for 7d testing the app')).toMatchObject({
      duration: '7d',
      reason: 'testing the app',
    });
    expect(parseCommand('grant aks-dev contosoacr -break-glass prod is down')).toMatchObject({ breakGlass: true });
    expect(parseCommand('secret aks-dev contosoacr -namespace payments -n=payments pulling')).toMatchObject({
      options: { namespace: 'payments' },
    });
  });

  test.each([
    ['grant aks-dev contosoacr - fixes deploys of payments', '- fixes deploys of payments'],
    ['grant aks-dev contosoacr fix -regression in -v2 deploy', 'fix -regression in -v2 deploy'],
    ['grant aks-dev contosoacr re-deploy after the -5% canary', 're-deploy after the -5% canary'],
    ['secret aks-dev contosoacr --namespace payments pulling - fixes deploys', 'pulling - fixes deploys'],
    ['secret aks-dev contosoacr --namespace payments re-pull images for v-2', 're-pull images for v-2'],
  ])('prose with dashes stays the reason: %j', (text, reason) => {
    expect(parseCommand(text)).toMatchObject({ reason });
  });
});

describe('a term written any way but --for 7d', () => {
  test.each([
    ['grant aks-dev contosoacr 7d testing the app', '"7d" reads as a length: write --for 7d before the reason.'],
    ['grant aks-dev contosoacr 2W testing the app', '"2W" reads as a length: write --for 2w before the reason.'],
    [
      'grant aks-dev contosoacr for 2 weeks to test the app',
      '"for 2 weeks" reads as a length: write --for 2w before the reason.',
    ],
    [
      'grant aks-dev contosoacr for 7d to test the app',
      '"for 7d" reads as a length: write --for 7d before the reason.',
    ],
    [
      'grant aks-dev contosoacr For a week, testing the app',
      '"For a week" reads as a length: write --for 1w before the reason.',
    ],
    ['grant aks-dev contosoacr 14 days of testing', '"14 days" reads as a length: write --for 14d before the reason.'],
    ['grant aks-dev contosoacr 7d', '"7d" reads as a length: write --for 7d before the reason.'],
    [
      'secret aks-dev contosoacr --namespace payments 7d pulling images',
      '"7d" reads as a length: write --for 7d before the reason.',
    ],
    ['extend R-7K2M9QXA 7d release slipped', '"7d" reads as a length: write --for 7d before the reason.'],
  ])('a reason starting with a length: %j', (text, said) => {
    const err = refusal(text);
    expect(err.code).toBe('validation.option');
    expect(err.message).toBe(`${said} Nothing was requested.`);
  });

  test.each([
    ['grant aks-dev contosoacr --days 7 testing the app', 'Unknown option --days: use --for 7d.'],
    ['grant aks-dev contosoacr --hours=12 hotfix rollout', 'Unknown option --hours: use --for 12h.'],
    ['grant aks-dev contosoacr --weeks 2 testing the app', 'Unknown option --weeks: use --for 2w.'],
    ['grant aks-dev contosoacr -days 7 testing the app', 'Unknown option --days: use --for 7d.'],
    ['secret aks-dev contosoacr --days 7 pulling images', 'Unknown option --days: use --for 7d.'],
  ])('an option naming the unit: %j', (text, said) => {
    expect(refusal(text).message).toBe(`${said} Nothing was requested.`);
  });

  test.each([
    ['grant aks-dev contosoacr --for 2 weeks testing the app', '"--for 2 weeks"', '--for 2w'],
    ['grant aks-dev contosoacr --for 7 d testing the app', '"--for 7 d"', '--for 7d'],
    ['grant aks-dev contosoacr --for 14days testing the app', '"--for 14days"', '--for 14d'],
    ['grant aks-dev contosoacr --for=1 hour, hotfix rollout', '"--for 1 hour"', '--for 1h'],
    ['secret aks-dev contosoacr --for 2 weeks pulling images', '"--for 2 weeks"', '--for 2w'],
    ['extend R-7K2M9QXA --for 2 weeks release slipped', '"--for 2 weeks"', '--for 2w'],
  ])('a term after --for in words: %j', (text, typed, written) => {
    const err = refusal(text);
    expect(err.code).toBe('validation.option');
    expect(err.message).toBe(
      `${typed} is not a term acrbot reads: write ${written} (a number and one of m, h, d, w, y, without a space). Nothing was requested.`,
    );
  });

  test.each([
    ['grant aks-dev contosoacr [--for 7d] deploying the app', '--for 7d'],
    ['grant aks-dev [--for 7d] contosoacr deploying the app', '--for 7d'],
    ['grant aks-dev contosoacr [--break-glass] prod is down', '--break-glass'],
    ['secret aks-dev contosoacr [--namespace payments] pulling images', '--namespace payments'],
    ['extend R-7K2M9QXA [--for 30d] release slipped', '--for 30d'],
  ])('the usage brackets pasted: %j', (text, typed) => {
    const err = refusal(text);
    expect(err.code).toBe('validation.option');
    expect(err.message).toBe(
      `Square brackets in the usage mark an option you may leave out: type "${typed}" without them. Nothing was requested.`,
    );
  });

  test.each([
    // A length later in the reason is prose: the plan card shows the term the request gets.
    ['grant aks-dev contosoacr testing the app for 7 days', 'testing the app for 7 days'],
    ['grant aks-dev contosoacr testing the app for 2 weeks', 'testing the app for 2 weeks'],
    ['grant aks-dev contosoacr 3 pods fail to pull', '3 pods fail to pull'],
    ['grant aks-dev contosoacr for payments-api deploys', 'for payments-api deploys'],
    ['grant aks-dev contosoacr permanent fix rollout', 'permanent fix rollout'],
    ['grant aks-dev contosoacr a day of load testing', 'a day of load testing'],
  ])('not a length where the reason starts: %j', (text, reason) => {
    expect(parseCommand(text)).toMatchObject({ reason });
  });

  test.each([
    // With a term given, a length where the reason starts is what the term says, written out.
    ['grant aks-dev contosoacr --for 2w 2 weeks load test', '2w', '2 weeks load test'],
    ['grant aks-dev contosoacr --for 30d 24h soak test', '30d', '24h soak test'],
    ['grant aks-dev contosoacr --expires 7d 7d of testing', '7d', '7d of testing'],
    ['grant aks-dev contosoacr 7d soak test --for 7d', '7d', '7d soak test'],
  ])('a term given, a length where the reason starts is the reason: %j', (text, duration, reason) => {
    expect(parseCommand(text)).toMatchObject({ duration, reason });
  });

  test('extend and secret with a term given keep a leading length as the reason too', () => {
    expect(parseCommand('extend R-7K2M9QXA --for 7d 3 days more testing')).toMatchObject({
      requestId: 'R-7K2M9QXA',
      duration: '7d',
      reason: '3 days more testing',
    });
    expect(
      parseCommand('secret aks-dev contosoacr --namespace payments --for 30d 30d rotation of the pull token'),
    ).toMatchObject({ options: { expires: '30d', namespace: 'payments' }, reason: '30d rotation of the pull token' });
  });

  test('--for with a term as it reads one is unchanged', () => {
    expect(parseCommand('grant aks-dev contosoacr --for 7D testing the app')).toMatchObject({ duration: '7D' });
    expect(parseCommand('grant aks-dev contosoacr --for 2 testing the app')).toMatchObject({ duration: '2' });
  });
});

describe('term-words', () => {
  test('leadingTerm reads a length only where the words start', () => {
    expect(leadingTerm(['7d', 'testing'])).toEqual({ typed: '7d', term: '7d' });
    expect(leadingTerm(['for', '2', 'weeks,', 'testing'])).toEqual({ typed: 'for 2 weeks', term: '2w' });
    expect(leadingTerm(['for', 'an', 'hour'])).toEqual({ typed: 'for an hour', term: '1h' });
    expect(leadingTerm(['testing', 'for', '2', 'weeks'])).toBeUndefined();
    expect(leadingTerm(['an', 'hour', 'of', 'testing'])).toBeUndefined();
    expect(leadingTerm(['2', 'constructor'])).toBeUndefined();
    expect(leadingTerm([])).toBeUndefined();
  });

  // A word's trailing punctuation is walked back, not matched by `[…]+$` (quadratic on one long
  // word): jest's timeout is the guard, so the reading runs in a worker (as long-word-linear-time).
  const runInWorker = tsWorkers();
  const N = 400_000;
  test.each<[string, string, string, unknown[]]>([
    ['a reason starting with a word of commas', 'src/domain/term-words.ts', 'leadingTerm', [[`7${','.repeat(N)}x`]]],
    [
      'a grant whose reason is one word of colons',
      'src/domain/command.ts',
      'parseCommand',
      [`grant a b 2${':'.repeat(N)}x`],
    ],
    [
      '--for with a long word after its number',
      'src/domain/command.ts',
      'parseCommand',
      [`grant a b --for 2 w${'.'.repeat(N)}x`],
    ],
  ])('%s is read in linear time', async (_name, module, fn, args) => {
    const caller = `try { require(workerData.module)[workerData.fn](...workerData.args); } catch {}\nparentPort.postMessage('done');`;
    expect(await runInWorker(caller, { module: resolve(REPO_ROOT, module), fn, args })).toBe('done');
  });

  test('spelledTerm reads words, not a term --for takes', () => {
    expect(spelledTerm('2', 'weeks')).toEqual({ term: '2w', count: 2 });
    expect(spelledTerm('14days', 'testing')).toEqual({ term: '14d', count: 1 });
    expect(spelledTerm('7d', 'testing')).toBeUndefined();
    expect(spelledTerm('2', 'testing')).toBeUndefined();
  });
});

describe("a command's own help", () => {
  test.each([
    ['grant help', 'grant'],
    ['grant --help', 'grant'],
    ['grant -h', 'grant'],
    ['grant ?', 'grant'],
    ['GRANT --HELP', 'grant'],
    ['secret --help', 'secret'],
    ['secret help', 'secret'],
    ['secret -h', 'secret'],
    ['extend --help', 'extend'],
    ['status -h', 'status'],
    ['revoke --help', 'revoke'],
    ['revoke help', 'revoke'],
    ['stop --help', 'cancel'],
    ['help grant', 'grant'],
    ['help check', 'check'],
  ])("%j is that command's help", (text, about) => {
    expect(parseCommand(text)).toEqual({ verb: 'help', about });
  });

  test.each(['help', 'help --help', 'help help', 'help me please', '?'])('%j is every command', (text) => {
    expect(parseCommand(text)).toEqual({ verb: 'help' });
  });

  test('"help" with more words after it stays a word', () => {
    expect(parseCommand('pause help desk is down, investigating')).toEqual({
      verb: 'pause',
      reason: 'help desk is down, investigating',
    });
    expect(parseCommand('grant help contosoacr deploying')).toMatchObject({ cluster: 'help' });
  });

  test('at the reason question, grant --help is the command (which shows the help), not a reason', () => {
    expect(readReasonReply('grant --help')).toBe('command');
    expect(readReasonReply('grant help')).toBe('command');
    expect(readReasonReply('grant aks-dev contosoacr')).toBe('answer');
  });

  test('the usage lines name their options without brackets to paste', () => {
    for (const verb of ['grant', 'secret', 'extend']) {
      const usage = COMMAND_HELP.find((c) => c.verb === verb)?.usage ?? '';
      expect(usage).toContain('--for 30d');
      expect(usage).not.toMatch(/\[/);
    }
  });
});

describe('names swapped, or joined by "to"', () => {
  test.each([
    ['grant aks-dev to contosoacr deploying the app', 'aks-dev', 'contosoacr'],
    ['grant aks-dev from contosoacr deploying the app', 'aks-dev', 'contosoacr'],
    ['grant aks-dev -> contosoacr deploying the app', 'aks-dev', 'contosoacr'],
    ['grant aks-dev \u2192 contosoacr deploying the app', 'aks-dev', 'contosoacr'],
    ['grant aks-dev --for 7d to contosoacr deploying the app', 'aks-dev', 'contosoacr'],
    ['secret aks-dev to contosoacr --namespace payments pulling', 'aks-dev', 'contosoacr'],
  ])('the glue word is dropped: %j', (text, cluster, registry) => {
    expect(parseCommand(text)).toMatchObject({ cluster, registry });
  });

  test('break-glass before the reason still counts the names without the glue', () => {
    expect(parseCommand('grant aks-dev to contosoacr --break-glass prod is down')).toMatchObject({
      cluster: 'aks-dev',
      registry: 'contosoacr',
      breakGlass: true,
      reason: 'prod is down',
    });
  });

  test('"to" with no name after it is left as typed (refused as no registry later)', () => {
    expect(parseCommand('grant aks-dev to')).toMatchObject({ cluster: 'aks-dev', registry: 'to' });
  });

  test.each([
    ['grant contosoacr.azurecr.io to aks-dev', 'grant aks-dev contosoacr.azurecr.io', 'aks-dev'],
    ['grant contosoacr.azurecr.io aks-dev deploying', 'grant aks-dev contosoacr.azurecr.io', 'aks-dev'],
    [
      'grant contosoacr.azurecr.cn rg-dev/aks-dev deploying',
      'grant rg-dev/aks-dev contosoacr.azurecr.cn',
      'rg-dev/aks-dev',
    ],
    [
      'grant /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/contosoacr aks-dev deploying',
      'grant aks-dev /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/contosoacr',
      'aks-dev',
    ],
    [
      'secret contosoacr.azurecr.us aks-dev --namespace payments pulling',
      'secret aks-dev contosoacr.azurecr.us',
      'aks-dev',
    ],
  ])('swapped for sure (a login server or registry id where the cluster goes): %j', (text, written, cluster) => {
    const err = refusal(text);
    expect(err.code).toBe('validation.name');
    expect(err.message).toBe(
      `Cluster first: ${written} REASON… ("${cluster}" reads as a cluster, and cannot be a registry: a registry's name is 5–50 letters and digits). Nothing was requested.`,
    );
  });

  test.each([
    ['grant contosoacr to aks-dev', 'grant', 'aks-dev'],
    ['grant contosoacr aks-dev testing', 'grant', 'aks-dev'],
    ['grant aksprod contoso-acr deploy', 'grant', 'contoso-acr'],
    ['grant aksprod acr deploy', 'grant', 'acr'],
    ['grant contosoacr rg-dev/aks-dev deploying', 'grant', 'rg-dev/aks-dev'],
    ['secret contosoacr aks-dev --namespace payments pulling', 'secret', 'aks-dev'],
  ])(
    'a plain name where the cluster goes may be a cluster: the registry rule, and the order as the other possibility: %j',
    (text, verb, registry) => {
      const err = refusal(text);
      expect(err.code).toBe('validation.name');
      expect(err.message).toBe(
        `"${registry}" is not a valid registry name: use 5–50 letters and digits, e.g. contosoacr, its login server (NAME.azurecr.io, e.g. contosoacr.azurecr.io), or the registry's full resource id. If you typed the registry first, put the cluster first: ${verb} CLUSTER REGISTRY REASON…`,
      );
      expect(err.message).not.toContain('Cluster first');
    },
  );

  test.each([
    // Both could be either: told apart only by Azure, so read as typed.
    ['grant aksdev contosoacr deploying', 'aksdev', 'contosoacr'],
    // Neither a registry in the registry's place nor one in the cluster's: the names' own errors.
    ['grant aks-dev acr_x deploying', 'aks-dev', 'acr_x'],
    ['grant aks-prod aks-dev deploying', 'aks-prod', 'aks-dev'],
  ])('not told as swapped: %j', (text, cluster, registry) => {
    expect(parseCommand(text)).toMatchObject({ cluster, registry });
  });
});

describe('the answer to "Why is the access needed?"', () => {
  test.each([
    ['2w testing the app', '"2w"', '2w'],
    ['for 2 weeks, testing the app', '"for 2 weeks"', '2w'],
  ])('%j starts with a length: asked again, saying how to give the term', (answer, typed, term) => {
    expect(readReasonReply(answer)).toBe('answer');
    expect(() => checkReasonAnswer(answer, 'grant', 'cancel')).toThrow(
      `${typed} reads as a length, and an answer sets no term: give the reason without it (the request gets the default term), or type "cancel", then the whole request on one line, e.g. "grant CLUSTER REGISTRY --for ${term} REASON…".`,
    );
  });

  test('a grant with "to" between its names reads like one there too (asked again, not filed)', () => {
    expect(lookalikeCommand('grant aks-dev to contosoacr deploying the app')).toBe('grant');
    expect(lookalikeCommand('grant aks-dev contosoacr deploying the app')).toBe('grant');
  });

  test('a length later in the answer is prose', () => {
    expect(() => checkReasonAnswer('testing the app for 2 weeks', 'grant', 'cancel')).not.toThrow();
  });

  test('--days 7 in an answer names the term given', () => {
    expect(() => checkReasonAnswer('testing --days 7', 'secret', 'cancel')).toThrow(
      'e.g. "secret CLUSTER REGISTRY --for 7d REASON…"',
    );
  });
});

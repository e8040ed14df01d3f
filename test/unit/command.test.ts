import { COMMAND_HELP, parseCommand, type Command } from '../../src/domain/command';
import { UserFacingError } from '../../src/domain/errors';

function errorOf(text: string): UserFacingError {
  try {
    parseCommand(text);
  } catch (err) {
    expect(err).toBeInstanceOf(UserFacingError);
    return err as UserFacingError;
  }
  throw new Error(`expected parseCommand(${JSON.stringify(text)}) to throw`);
}

describe('parseCommand: verbs (mention already removed)', () => {
  test.each<[string, Command]>([
    ['', { verb: 'help' }],
    ['   ', { verb: 'help' }],
    ['help', { verb: 'help' }],
    ['HELP', { verb: 'help' }],
    ['?', { verb: 'help' }],
    // A command word typed alone, as a sentence: its closing punctuation is no part of it.
    ['Help.', { verb: 'help' }],
    ['Cancel!', { verb: 'cancel' }],
    ['status?', { verb: 'status', requestId: undefined }],
    ['pending...', { verb: 'pending' }],
    // Not alone: the word as typed ("Grant." before a reason is no grant command).
    ['Grant. We need it', { verb: 'unknown', word: 'grant.' }],
    ['grant', { verb: 'grant', cluster: undefined, registry: undefined, reason: undefined }],
    ['grant aks-prod', { verb: 'grant', cluster: 'aks-prod', registry: undefined, reason: undefined }],
    ['grant aks-prod contosoacr', { verb: 'grant', cluster: 'aks-prod', registry: 'contosoacr', reason: undefined }],
    [
      'Grant aks-prod contosoacr deploy payments-api',
      { verb: 'grant', cluster: 'aks-prod', registry: 'contosoacr', reason: 'deploy payments-api' },
    ],
    [
      '  grant\taks-prod   contosoacr  deploy\n payments-api  ',
      { verb: 'grant', cluster: 'aks-prod', registry: 'contosoacr', reason: 'deploy payments-api' },
    ],
    // A word starting with -- after the reason's first word is its own text (where the options
    // go, as the first word, it is refused: command-first-time-mistakes.test.ts).
    [
      'grant rg-aks/aks-prod contosoacr fix --not-a-flag here',
      { verb: 'grant', cluster: 'rg-aks/aks-prod', registry: 'contosoacr', reason: 'fix --not-a-flag here' },
    ],
    [
      'grant aks-prod contosoacr --for 2m deploy payments-api',
      { verb: 'grant', cluster: 'aks-prod', registry: 'contosoacr', reason: 'deploy payments-api', duration: '2m' },
    ],
    [
      'grant aks-prod --expires=12w contosoacr deploy payments-api',
      { verb: 'grant', cluster: 'aks-prod', registry: 'contosoacr', reason: 'deploy payments-api', duration: '12w' },
    ],
    ['revoke r-7k2m9qxa no longer needed', { verb: 'revoke', requestId: 'R-7K2M9QXA', reason: 'no longer needed' }],
    [
      'revoke aks-prod contosoacr incident 42',
      { verb: 'revoke', cluster: 'aks-prod', registry: 'contosoacr', reason: 'incident 42' },
    ],
    ['revoke', { verb: 'revoke', cluster: undefined, registry: undefined, reason: undefined }],
    [
      'extend R-7K2M9QXA --for 30d release still running',
      { verb: 'extend', requestId: 'R-7K2M9QXA', duration: '30d', reason: 'release still running' },
    ],
    ['status', { verb: 'status', requestId: undefined }],
    ['status R-7K2M9QXA extra', { verb: 'status', requestId: 'R-7K2M9QXA' }],
    ['pending', { verb: 'pending' }],
    ['PENDING now', { verb: 'pending' }],
    ['pending r-7k2m9qxa', { verb: 'pending', requestId: 'R-7K2M9QXA' }],
    ['audit', { verb: 'audit', argument: undefined }],
    ['audit 20', { verb: 'audit', argument: '20' }],
    ['audit verify', { verb: 'audit', argument: 'verify' }],
    ['audit R-7K2M9QXA', { verb: 'audit', argument: 'R-7K2M9QXA' }],
    ['cancel', { verb: 'cancel' }],
    ['stop', { verb: 'cancel' }],
    ['cancel r-7k2m9qxa', { verb: 'cancel', requestId: 'R-7K2M9QXA' }],
    ['deploy', { verb: 'unknown', word: 'deploy' }],
    ['GRAB aks', { verb: 'unknown', word: 'grab' }],
    [`${'x'.repeat(100)} y`, { verb: 'unknown', word: 'x'.repeat(40) }],
  ])('%j', (text, expected) => {
    expect(parseCommand(text)).toEqual(expected);
  });
});

describe('parseCommand: secret flags', () => {
  const base = { verb: 'secret', cluster: 'aks-dev', registry: 'contosoacr' } as const;
  test.each<[string, Command]>([
    ['secret', { verb: 'secret', cluster: undefined, registry: undefined, reason: undefined, options: {} }],
    ['secret aks-dev contosoacr pull for payments', { ...base, reason: 'pull for payments', options: {} }],
    [
      'secret aks-dev contosoacr --namespace payments pull for payments',
      { ...base, reason: 'pull for payments', options: { namespace: 'payments' } },
    ],
    [
      'secret aks-dev contosoacr -n payments pull it',
      { ...base, reason: 'pull it', options: { namespace: 'payments' } },
    ],
    [
      'secret --namespace=payments aks-dev contosoacr pull it',
      { ...base, reason: 'pull it', options: { namespace: 'payments' } },
    ],
    ['secret aks-dev --kind sp contosoacr pull it', { ...base, reason: 'pull it', options: { kind: 'sp' } }],
    ['secret aks-dev contosoacr --NAMESPACE Payments x', { ...base, reason: 'x', options: { namespace: 'Payments' } }],
    ['secret aks-dev contosoacr --expires=a=b x', { ...base, reason: 'x', options: { expires: 'a=b' } }],
    [
      'secret aks-dev contosoacr --namespace payments --name acr-auth --kind token --service-account default --expires 90d --repositories app1,app2 deploy the app',
      {
        ...base,
        reason: 'deploy the app',
        options: {
          namespace: 'payments',
          name: 'acr-auth',
          kind: 'token',
          serviceAccount: 'default',
          expires: '90d',
          repositories: 'app1,app2',
        },
      },
    ],
    [
      'secret aks-dev contosoacr --namespace=payments --name=acr-auth --kind=sp --service-account=sa --expires=30d --repositories=a deploy',
      {
        ...base,
        reason: 'deploy',
        options: {
          namespace: 'payments',
          name: 'acr-auth',
          kind: 'sp',
          serviceAccount: 'sa',
          expires: '30d',
          repositories: 'a',
        },
      },
    ],
  ])('%j', (text, expected) => {
    expect(parseCommand(text)).toEqual(expected);
  });

  test.each([
    ['secret aks-dev contosoacr --namespace', '--namespace needs a value, e.g. --namespace payments.'],
    ['secret aks-dev contosoacr -n', '-n needs a value, e.g. -n payments.'],
    ['secret aks-dev contosoacr --kind', '--kind needs a value, e.g. --kind token.'],
    ['secret aks-dev contosoacr --expires', '--expires needs a value, e.g. --expires 90d.'],
    ['secret aks-dev contosoacr --namespace --kind token x', '--namespace needs a value, e.g. --namespace payments.'],
    ['secret aks-dev contosoacr --name --expires=90d x', '--name needs a value, e.g. --name payments.'],
  ])('missing value: %j', (text, message) => {
    const err = errorOf(text);
    expect(err.code).toBe('validation.option');
    expect(err.message).toBe(message);
  });

  test.each([
    ['secret aks-dev contosoacr --force x', '--force'],
    ['secret aks-dev contosoacr --token=abc x', '--token'],
    ['secret aks-dev contosoacr --', '--'],
  ])('unknown option: %j', (text, flag) => {
    const err = errorOf(text);
    expect(err.code).toBe('validation.option');
    expect(err.message).toBe(
      `Unknown option ${flag}. The secret command takes --namespace, --name, --kind, --service-account, --for (or --expires) and --repositories. Nothing was requested.`,
    );
  });

  test('an empty inline value (--namespace=) is a missing value', () => {
    expect(errorOf('secret aks-dev contosoacr --namespace= pull it').code).toBe('validation.option');
  });

  // Names on Object.prototype are no options: "constructor" or "__proto__" in a reason (or as a
  // name) stays a word, and the word after it stays in the reason.
  test.each([
    ['secret aks-dev contosoacr --namespace payments fix the constructor bug', 'fix the constructor bug'],
    ['secret aks-dev contosoacr --namespace payments handle __proto__ keys safely', 'handle __proto__ keys safely'],
    [
      'secret aks-dev contosoacr --namespace payments CONSTRUCTOR injection broke pulls',
      'CONSTRUCTOR injection broke pulls',
    ],
  ])('a prototype name is a word of the reason: %j', (text, reason) => {
    expect(parseCommand(text)).toEqual({
      verb: 'secret',
      cluster: 'aks-dev',
      registry: 'contosoacr',
      reason,
      options: { namespace: 'payments' },
    });
  });

  test('a prototype name at the end is a word, not an option missing its value', () => {
    expect(parseCommand('secret aks-dev contosoacr --namespace payments calls the constructor')).toMatchObject({
      reason: 'calls the constructor',
    });
    expect(parseCommand('secret constructor __proto__ --namespace payments pull it')).toMatchObject({
      cluster: 'constructor',
      registry: '__proto__',
      reason: 'pull it',
      options: { namespace: 'payments' },
    });
  });
});

describe('access, check, pause and resume', () => {
  test.each([
    ['access', { verb: 'access', target: undefined }],
    ['access aks-prod', { verb: 'access', target: 'aks-prod' }],
    ['ACCESS registry contosoacr', { verb: 'access', kind: 'registry', target: 'contosoacr' }],
    ['access cluster rg-aks/aks-prod', { verb: 'access', kind: 'cluster', target: 'rg-aks/aks-prod' }],
    ['check aks-prod contosoacr', { verb: 'check', cluster: 'aks-prod', registry: 'contosoacr' }],
    ['check aks-prod', { verb: 'check', cluster: 'aks-prod', registry: undefined }],
    ['pause', { verb: 'pause', reason: undefined }],
    ['PAUSE  unexpected   grants on prod', { verb: 'pause', reason: 'unexpected grants on prod' }],
    ['resume', { verb: 'resume', reason: undefined }],
    ['resume incident closed', { verb: 'resume', reason: 'incident closed' }],
  ])('%s', (text, expected) => {
    expect(parseCommand(text)).toEqual(expected);
  });

  test('"access cluster" without a name is a clear error', () => {
    expect(() => parseCommand('access cluster')).toThrow(/Say which cluster/);
  });

  test('--break-glass with a missing cluster, registry or reason is refused, not turned into a question', () => {
    for (const text of [
      'grant --break-glass',
      'grant aks-prod --break-glass',
      'grant aks-prod contosoacr --break-glass',
    ])
      expect(errorOf(text).code).toBe('validation.breakGlassIncomplete');
    expect(parseCommand('grant aks-prod contosoacr --break-glass prod is down')).toMatchObject({
      breakGlass: true,
      reason: 'prod is down',
    });
    expect(() => parseCommand('cancel everything')).toThrow(/cancel REQUEST-ID/);
  });

  test('options typed with an en or em dash (smart punctuation) are read as the options they were meant to be', () => {
    expect(parseCommand('grant aks-prod contosoacr \u2014break-glass prod is down')).toMatchObject({
      breakGlass: true,
      reason: 'prod is down',
    });
    expect(parseCommand('grant aks-prod contosoacr \u2013for 2h deploy payments-api')).toMatchObject({
      duration: '2h',
      reason: 'deploy payments-api',
    });
    expect(parseCommand('secret aks-dev contosoacr \u2014namespace payments \u2212\u2212for=7d pull')).toMatchObject({
      options: { namespace: 'payments', expires: '7d' },
      reason: 'pull',
    });
    expect(parseCommand('extend R-7K2M9QXA \u2014for 7d release slipped')).toMatchObject({ duration: '7d' });
    // Dashes in the reason itself stay as typed.
    expect(parseCommand('grant aks-prod contosoacr deploy \u2014 urgent \u2014also today')).toMatchObject({
      reason: 'deploy \u2014 urgent \u2014also today',
    });
  });

  test('options typed with one dash (-for, -namespace, -n=…) are read as the options they name', () => {
    expect(parseCommand('grant aks-prod contosoacr -for 2h deploy payments-api')).toMatchObject({
      duration: '2h',
      reason: 'deploy payments-api',
    });
    expect(parseCommand('grant aks-prod contosoacr -break-glass prod is down')).toMatchObject({ breakGlass: true });
    expect(parseCommand('secret aks-dev contosoacr -n=payments -service-account default pull')).toMatchObject({
      options: { namespace: 'payments', serviceAccount: 'default' },
      reason: 'pull',
    });
    expect(parseCommand('secret aks-dev contosoacr -namespace payments -for=7d pull')).toMatchObject({
      options: { namespace: 'payments', expires: '7d' },
    });
    // Words of the reason that merely start with a dash stay as typed.
    expect(parseCommand('grant aks-prod contosoacr fix -regression in -v2 deploy')).toMatchObject({
      reason: 'fix -regression in -v2 deploy',
    });
  });

  test("an option typed after a grant's reason is refused, not kept as text that silently does nothing", () => {
    const late = errorOf('grant aks-prod contosoacr prod is down now --break-glass');
    expect(late).toMatchObject({ code: 'validation.option' });
    expect(late.message).toBe(
      '--break-glass goes before the reason: grant CLUSTER REGISTRY --break-glass REASON… Nothing was requested.',
    );
    expect(errorOf('grant aks-prod contosoacr --break-glass=yes prod is down').message).toMatch(
      /^--break-glass takes no value/,
    );
    expect(errorOf('grant aks-prod contosoacr --breakglass prod is down').message).toMatch(
      /^Did you mean --break-glass\?/,
    );
    // Other words that start with -- are the reason's own text.
    expect(parseCommand('grant aks-prod contosoacr kubectl --namespace payments fails -n 4')).toMatchObject({
      reason: 'kubectl --namespace payments fails -n 4',
    });
  });
});

describe('--break-glass: before the first word of the reason, or refused', () => {
  test.each([
    'grant --break-glass aks-prod contosoacr prod is down',
    'grant aks-prod --break-glass contosoacr prod is down',
    'grant aks-prod contosoacr --break-glass prod is down',
    'grant aks-prod contosoacr --for 2h --break-glass prod is down',
    'grant aks-prod contosoacr --break-glass --for=2h prod is down',
    'grant aks-prod --for 2h contosoacr --BREAK-GLASS prod is down',
  ])('%s is break-glass', (text) => {
    expect(parseCommand(text)).toMatchObject({
      verb: 'grant',
      cluster: 'aks-prod',
      registry: 'contosoacr',
      reason: 'prod is down',
      breakGlass: true,
    });
  });

  // However short the reason: one word of it is enough to make the flag late.
  test.each([
    'grant aks-prod contosoacr test --break-glass alerting path',
    'grant aks-prod contosoacr prod --break-glass down',
    'grant aks-prod contosoacr prod down --break-glass',
    'grant aks-prod contosoacr prod is down --break-glass',
    'grant aks-prod contosoacr --for 2h prod --break-glass is down',
    'grant aks-prod contosoacr --break-glass prod is down --break-glass',
  ])('%s is refused: the flag comes after a word of the reason', (text) => {
    expect(errorOf(text)).toMatchObject({
      code: 'validation.option',
      message:
        '--break-glass goes before the reason: grant CLUSTER REGISTRY --break-glass REASON… Nothing was requested.',
    });
  });
});

describe('a request id with punctuation after it', () => {
  test.each([
    ['cancel R-7K2M9QXA.', 'Type "@acrbot cancel R-7K2M9QXA"'],
    ['pending r-7k2m9qxa,', 'Type "@acrbot pending R-7K2M9QXA"'],
  ])('%j names the punctuation and the command that works', (text, works) => {
    expect(() => parseCommand(text)).toThrow(works);
    expect(() => parseCommand(text)).toThrow('is not a request id');
  });

  test('other words after pending are still ignored', () => {
    expect(parseCommand('pending now')).toEqual({ verb: 'pending' });
  });
});

describe('a request id typed without its dash, or mistyped', () => {
  // Read once by the parser, so every command that takes an id takes it.
  test.each<[string, Command]>([
    ['status R7K2M9QXA', { verb: 'status', requestId: 'R-7K2M9QXA' }],
    ['pending r7k2m9qxa', { verb: 'pending', requestId: 'R-7K2M9QXA' }],
    ['audit R7K2M9QXA', { verb: 'audit', argument: 'R-7K2M9QXA' }],
    ['cancel r7k2m9qxa', { verb: 'cancel', requestId: 'R-7K2M9QXA' }],
    ['stop R7K2M9QXA', { verb: 'cancel', requestId: 'R-7K2M9QXA' }],
    [
      'extend --for 30d r7k2m9qxa release',
      { verb: 'extend', requestId: 'R-7K2M9QXA', duration: '30d', reason: 'release' },
    ],
  ])('%j is the id with its dash', (text, command) => {
    expect(parseCommand(text)).toEqual(command);
  });

  test.each([
    // Not an id without its dash: O is never in one; a cluster pair stays a pair.
    ['revoke R7K2M9QOA contosoacr', { verb: 'revoke', cluster: 'R7K2M9QOA', registry: 'contosoacr' }],
    // revoke's first word may be a cluster's name: one shaped like an id without its dash stays a name.
    ['revoke rstagewe2 contosoacr', { verb: 'revoke', cluster: 'rstagewe2', registry: 'contosoacr' }],
    ['status RELEASE', { verb: 'status', requestId: 'RELEASE' }],
  ])('%j keeps its words as typed', (text, command) => {
    expect(parseCommand(text)).toMatchObject(command);
  });

  test.each([
    ['cancel R-7K2M9QX', 'it has 7 letters and digits after "R-", not 8'],
    ['cancel R7K2M9QXAB', 'it has 9 letters and digits after "R", not 8'],
    ['pending R-7K2M9Q0A', '"0" is never in one'],
    ['cancel R-7K2M9QXU', '"U" is never in one'],
    ['pending r-7k2m9qoi', '"O" and "I" are never in one'],
  ])('%j says what is wrong with the id', (text, problem) => {
    const err = errorOf(text);
    expect(err.code).toBe('validation.requestId');
    expect(err.message).toContain(`is not a request id: ${problem}.`);
    expect(err.message).toContain('Request ids are R- and 8 letters and digits, without 0, 1, I, L, O or U');
  });
});

describe('an option given twice', () => {
  test.each([
    ['grant aks-prod contosoacr --for 2h --for 3d deploy', '--for was given twice, as "2h" and "3d"'],
    ['grant aks-prod contosoacr --for=2h --expires 3d deploy', '--expires was given twice, as "2h" and "3d"'],
    ['extend R-7K2M9QXA --for 30d --for 60d release', '--for was given twice, as "30d" and "60d"'],
    ['secret aks-dev contosoacr -n a --namespace b deploy', '--namespace was given twice, as "a" and "b"'],
    ['secret aks-dev contosoacr --for 30d --expires 90d deploy', '--expires was given twice, as "30d" and "90d"'],
  ])('%j is refused, naming both values', (text, message) => {
    expect(() => parseCommand(text)).toThrow(message);
  });

  test('the same value twice is one option', () => {
    expect(parseCommand('grant aks-prod contosoacr --for 2h --for 2h deploy')).toMatchObject({ duration: '2h' });
    expect(parseCommand('secret aks-dev contosoacr -n a --namespace=a deploy')).toMatchObject({
      options: { namespace: 'a' },
    });
  });
});

describe('a term typed without its space (--for2h, --for:2h)', () => {
  test.each([
    ['grant aks-prod contosoacr --for2h hotfix rollout now', '--for 2h'],
    ['grant aks-prod contosoacr --for:2h hotfix rollout now', '--for 2h'],
    ['grant aks-prod contosoacr --EXPIRES2h hotfix rollout now', '--expires 2h'],
    ['grant aks-prod contosoacr hotfix rollout now --for12h', '--for 12h'],
    ['grant aks-prod contosoacr \u2014for2h hotfix rollout now', '--for 2h'],
    ['grant aks-prod contosoacr -for:2h hotfix rollout now', '--for 2h'],
    ['grant aks-prod contosoacr --for: hotfix rollout now', '--for 30d'],
    ['secret aks-dev contosoacr --for2h pull for payments-api', '--for 2h'],
    ['secret aks-dev contosoacr --expires:90d pull for payments-api', '--expires 90d'],
    ['extend R-7K2M9QXA --for30d release still running', '--for 30d'],
  ])('%j is refused with the way to write it, not kept as the reason', (text, written) => {
    const err = errorOf(text);
    expect(err.code).toBe('validation.option');
    expect(err.message).toContain(`write ${written}, with a space`);
    expect(err.message).toContain('Nothing was requested');
  });

  test('words that only start like the option stay words of the reason', () => {
    expect(parseCommand('grant aks-prod contosoacr it --forever is not a term')).toMatchObject({
      reason: 'it --forever is not a term',
    });
    // Where the options go, it is an option the grant does not have, not a --for without its space.
    expect(errorOf('grant aks-prod contosoacr --forever is not a term').message).toMatch(
      /^Unknown option --forever\. /,
    );
    expect(parseCommand('grant aks-prod contosoacr --for=2h hotfix')).toMatchObject({
      duration: '2h',
      reason: 'hotfix',
    });
  });
});

describe('COMMAND_HELP', () => {
  test('documents every verb the parser knows, and each example parses to its own verb', () => {
    expect(COMMAND_HELP.map((h) => h.verb).sort()).toEqual([
      'access',
      'audit',
      'cancel',
      'check',
      'extend',
      'grant',
      'help',
      'pause',
      'pending',
      'policy',
      'resume',
      'revoke',
      'secret',
      'status',
      'withdraw',
    ]);
    for (const h of COMMAND_HELP) expect(parseCommand(h.example).verb).toBe(h.verb);
  });
});

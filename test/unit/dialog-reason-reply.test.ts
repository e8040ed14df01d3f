/**
 * How a reply to "Why is the access needed?" is read (reason-reply.ts): the answer unless it is
 * a command no reason reads like, or a "never mind" with nothing but filler. A reply that only
 * reads like a grant, check or access is an answer the reason prompt refuses with a hint.
 */
import {
  checkNameAnswer,
  checkReasonAnswer,
  isCancelReply,
  lookalikeCommand,
  readReasonReply,
} from '../../src/domain/reason-reply';

describe('readReasonReply', () => {
  test.each([
    ['revoke R-7K2M9QXA no longer needed', 'command'],
    ['status R-7K2M9QXA', 'command'],
    ['Status: R-7K2M9QXA', 'command'],
    ['extend R-7K2M9QXA --for 30d release still running', 'command'],
    ['pending R-7K2M9QXA', 'command'],
    ['cancel R-7K2M9QXA', 'command'],
    ['stop R-7K2M9QXA', 'command'],
    ['revoke R-7K2M9QXA. no longer needed', 'command'],
    ['audit verify', 'command'],
    ['audit 20', 'command'],
    ['audit R-7K2M9QXA', 'command'],
    ['audit r7k2m9qxa', 'command'],
    ['pause the old pipeline while we migrate', 'command'],
    ['help', 'command'],
    // Rule 1: a grant or secret never restarts the dialog from the reason question.
    ['grant aks-dev contosoacr', 'answer'],
    ['Grant needed because deploys fail', 'answer'],
    ['secret needed because deploys fail', 'answer'],
    ['grant aks-dev', 'answer'],
    ['Grant urgently', 'answer'],
    ['grant aks-dev contosoacr --for2h deploy', 'answer'],
    // Rule 2: check, policy and access are asked again (the prompt's hint), not run.
    ['check aks-prod contosoacr', 'answer'],
    ['check aks-prod contosoacr.', 'answer'],
    ['policy aks-prod contosoacr', 'answer'],
    ['access aks-prod', 'answer'],
    ['Access denied', 'answer'],
    // So is a revoke of a valid pair: any two words are a cluster and registry by their form.
    ['revoke aks-prod contosoacr no longer needed', 'answer'],
    // Rule 3: a cancel word with filler only cancels.
    ['cancel this request', 'cancel'],
    ['never mind', 'cancel'],
    ['Never mind, my mistake!', 'cancel'],
    ['Stop please, wrong cluster', 'cancel'],
    ['Abort.', 'cancel'],
    ['stop the prod outage', 'answer'],
    ['cancel the stuck canary release', 'answer'],
    ['abort failing nightly deploy job', 'answer'],
    ['stop pulling from docker hub', 'answer'],
    // Rule 5: pause, grant, secret and help keep their comma: an unknown word, so an answer.
    ['Pause, deploys blocked until registry fixed', 'answer'],
    ['access is needed for the nightly payments deploy', 'answer'],
    ['Grant needed for the nightly payments deploy', 'answer'],
    ['status of the release is blocked on this', 'answer'],
    ['check the logs of the nightly run', 'answer'],
    ['help the payments team ship tonight', 'answer'],
    ['cancel the old registry and move to this one please', 'answer'],
    ['deploy payments-api to prod', 'answer'],
    // An id after status, extend and the like, with or without its dash, is that command; a
    // dashless word the command would refuse as a mistyped id is a word of the reason.
    ['status R7K2M9QXA', 'command'],
    ['status r7k2m9qxa', 'command'],
    ['status R-7K2M9QX0', 'command'],
    ['extend release2 testing window', 'answer'],
    ['status report2024 job needs images', 'answer'],
    ['pending release42 rollout', 'answer'],
    ['audit r2024q4', 'answer'],
    ['stop runner01 from failing its pulls', 'answer'],
    ['cancel rabbitmq3 upgrade blocked on images', 'answer'],
  ])('%s → %s', (text, expected) => {
    expect(readReasonReply(text)).toBe(expected);
  });
});

describe('isCancelReply', () => {
  test.each([
    ['cancel', true],
    ['nevermind, wrong registry', true],
    ['oops, cancel', false],
    ['stop sorry thank you', true],
    ['cancel R-7K2M9QXA', false],
    ['never', false],
  ])('%s → %s', (text, expected) => {
    expect(isCancelReply(text)).toBe(expected);
  });
});

describe('lookalikeCommand', () => {
  test.each([
    ['Grant needed because deploys fail', 'grant'],
    ['secret aks-dev contosoacr', 'secret'],
    ['grant aks-dev contosoacr.', 'grant'],
    ['check aks-prod contosoacr.', 'check'],
    ['Check: aks-prod contosoacr!', 'check'],
    ['policy aks-prod contosoacr?', 'policy'],
    ['Access denied', 'access'],
    ['access cluster aks-prod', 'access'],
    ['Grant needed for the nightly payments deploy', undefined],
    ['Grant urgently', undefined],
    ['grant, aks-dev contosoacr', undefined],
    ['check aks-prod contosoacr please', undefined],
    ['access aks-prod please', undefined],
    ['check the logs', undefined],
    ['revoke R-7K2M9QXA', undefined],
    ['revoke aks-prod contosoacr no longer needed', 'revoke'],
    ['Revoke: aks-prod contosoacr.', 'revoke'],
    ['revoke rg-aks/aks-prod contosoacr', 'revoke'],
    ['revoke R-7K2M9QXA contosoacr', undefined],
    ['revoke aks-prod', undefined],
    ['revoke of the old pull secret needed first', undefined],
  ])('%s → %s', (text, expected) => {
    expect(lookalikeCommand(text)).toBe(expected);
  });
});

describe('checkReasonAnswer', () => {
  test.each(['--for 2h hotfix', '\u2013for 2h hotfix', 'hotfix --break-glass', 'deploy --for2h'])(
    '%s is refused: options go on the command line',
    (text) => {
      expect(() => checkReasonAnswer(text)).toThrow(/options go on the command line/);
    },
  );
  test('--break-glass in an answer: the line to type keeps it', () => {
    expect(() => checkReasonAnswer('hotfix --break-glass')).toThrow(
      '--break-glass in an answer is not read as an option: options go on the command line. Type "cancel", then the whole request on one line, e.g. "grant CLUSTER REGISTRY --break-glass REASON…".',
    );
    expect(() => checkReasonAnswer('prod down \u2013breakglass')).toThrow(
      /e\.g\. "grant CLUSTER REGISTRY --break-glass REASON…"/,
    );
  });
  test.each([
    ['deploy --duration 2h', '2h'],
    ['deploy --ttl=3d', '3d'],
  ])('%s: refused on the command line too, so the term option is named, with the term typed', (text, term) => {
    const flag = /--[a-z]+/.exec(text)![0];
    expect(() => checkReasonAnswer(text)).toThrow(
      `${flag} is not an option, in an answer or on the command line: the term option is --for. Type "cancel", then the whole request on one line, e.g. "grant CLUSTER REGISTRY --for ${term} REASON…".`,
    );
  });
  test('the example keeps the term typed in the answer ("--for 30d" is not retyped as 2h), else 2h', () => {
    expect(() => checkReasonAnswer('--for 30d nightly deploy')).toThrow(
      /e\.g\. "grant CLUSTER REGISTRY --for 30d REASON…"/,
    );
    expect(() => checkReasonAnswer('--for=permanent nightly deploy')).toThrow(/--for permanent REASON…"/);
    expect(() => checkReasonAnswer('--for a while nightly deploy')).toThrow(/--for 2h REASON…"/);
    expect(() => checkReasonAnswer('deploy fix --for30d')).toThrow(/--for 30d REASON…"/);
    expect(() => checkReasonAnswer('deploy --for:30d fix')).toThrow(/--for 30d REASON…"/);
  });
  test('in the secret dialog the example is a secret command; break-glass is said to be a grant’s', () => {
    expect(() => checkReasonAnswer('--for 2h dev images', 'secret')).toThrow(
      /e\.g\. "secret CLUSTER REGISTRY --for 2h REASON…"/,
    );
    expect(() => checkReasonAnswer('dev images --duration 2h', 'secret')).toThrow(
      /"secret CLUSTER REGISTRY --for 2h REASON…"/,
    );
    expect(() => checkReasonAnswer('--break-glass dev images', 'secret')).toThrow(
      '--break-glass in an answer is not read as an option, and a secret request has no break-glass: give the reason without it, or type "cancel", then "grant CLUSTER REGISTRY --break-glass REASON…" for emergency access.',
    );
    expect(() => checkReasonAnswer('--for 2h dev images')).toThrow(/e\.g\. "grant CLUSTER REGISTRY --for 2h REASON…"/);
  });
  test('a look-alike of a command is refused with how to run it', () => {
    expect(() => checkReasonAnswer('Access denied')).toThrow(
      'That reads like a new "access" command. To run it, type "cancel" first, then the command; otherwise give the reason in other words.',
    );
    expect(() => checkReasonAnswer('revoke aks-prod contosoacr no longer needed')).toThrow(
      'That reads like a new "revoke" command. To run it, type "cancel" first, then the command; otherwise give the reason in other words.',
    );
    expect(() => checkReasonAnswer('Grant needed because deploys fail')).toThrow(
      'That reads like a new "grant" command. To start over, type "cancel" first, then the command; otherwise give the reason in other words.',
    );
    expect(() => checkReasonAnswer('Grant needed for the nightly payments deploy')).not.toThrow();
  });
  test('other options are words of a reason; a long sentence starting with hi is a reason', () => {
    expect(() => checkReasonAnswer('kubectl --namespace payments fails')).not.toThrow();
    expect(() => checkReasonAnswer('kubectl logs --since 1h shows ImagePullBackOff')).not.toThrow();
    expect(() => checkReasonAnswer('hi, the payments team needs this for the nightly deploy')).not.toThrow();
    expect(() => checkReasonAnswer('hello, are you there?')).toThrow(/greeting/);
  });
});

describe('checkNameAnswer', () => {
  test.each([
    ['cluster', 'aks-prod'],
    ['cluster', 'rg-aks/aks-prod'],
    ['registry', 'contosoacr'],
  ] as const)('one %s name: taken as today (%s)', (kind, text) => {
    expect(() => checkNameAnswer(kind, text)).not.toThrow();
  });

  test('a whole request pasted at the cluster question: more than one name, the cluster to type named', () => {
    for (const line of [
      'aks-prod-weu acrprod "deploys fail"',
      'aks-prod-weu acrprod',
      'aks-prod-weu  acrprod\ndeploys',
    ]) {
      expect(() => checkNameAnswer('cluster', line)).toThrow(
        'That is more than one name: this question takes one cluster (name, resourceGroup/name or resource id). Type just "aks-prod-weu"; the registry and the reason are asked next.',
      );
    }
  });

  test('a line that does not start with a cluster and a registry: no word of it is offered as the name', () => {
    for (const line of ['aks-prod to acrprod', 'please use aks-prod', 'grant, aks-prod acrprod deploys fail']) {
      expect(() => checkNameAnswer('cluster', line)).toThrow(
        'That is more than one name: this question takes one cluster (name, resourceGroup/name or resource id). Type just its name, e.g. "aks-prod"; the registry and the reason are asked next.',
      );
    }
  });

  test('at the registry question: one registry, the reason asked next; the refusal keeps its code and cause', () => {
    let refusal: unknown;
    try {
      checkNameAnswer('registry', 'acrprod deploys fail');
    } catch (err) {
      refusal = err;
    }
    expect(refusal).toMatchObject({
      code: 'validation.name',
      message:
        'That is more than one name: this question takes one registry (name or resource id). Type just its name, e.g. "contosoacr"; the reason is asked next.',
      cause: expect.objectContaining({ message: expect.stringMatching(/is not a valid registry name/) }),
    });
  });

  test('one word that is no name is refused by the name rules as before', () => {
    expect(() => checkNameAnswer('cluster', 'aks..prod')).toThrow(/never part of a name/);
    expect(() => checkNameAnswer('registry', 'acr')).toThrow(/is not a valid registry name/);
    expect(() => checkNameAnswer('cluster', '')).toThrow(/The cluster is missing/);
  });
});

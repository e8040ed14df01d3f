/**
 * The policy file: every field parsed, every problem listed with its line, column and path, the
 * process refusing to start on a bad file, and reloads that keep the last good policy.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/config';
import { loadPolicy, parsePolicy, policyFromEnvironment } from '../../src/config/policy-file';
import { type PolicyReload, PolicySource } from '../../src/config/policy-source';
import { problemsOf } from './support/policy-refusals';
import { useTempDir } from './support/temp-dir';

const EXAMPLE = readFileSync(join(__dirname, '../../docs/policy.example.yaml'), 'utf8');
const G1 = '0b000000-0000-4000-8000-0000000000a9';
const U1 = '0a000000-0000-4000-8000-00000000bbb2';
const U2 = '0a000000-0000-4000-8000-00000000ccc3';

/** Reloads without waiting: the two reads that must agree follow each other at once. */
const settledAtOnce = { sleep: () => Promise.resolve() };

describe('policy file: every field', () => {
  test('the documented example parses into the rules it describes', () => {
    const policy = parsePolicy(EXAMPLE, 'docs/policy.example.yaml');
    expect(policy.source).toBe('file');
    expect(policy.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(policy.rules.map((r) => r.id)).toEqual(['prod-registries', 'dev-auto', 'default']);
    expect(policy.rules[0]).toEqual({
      id: 'prod-registries',
      match: {
        registry: ['contoso*'],
        flow: ['grant', 'secret'],
        registryTags: { env: 'prod' },
      },
      approvers: { users: [U1], groups: [G1], name: 'Platform Approvers' },
      approvalsRequired: 2,
      channel: '19:sandbox-approvals@thread.tacv2',
      maxDurationMs: 30 * 86_400_000,
      approverJustification: 'required',
      remindAfterMs: 2 * 3_600_000,
      escalateAfterMs: 8 * 3_600_000,
      escalateTo: {
        channel: '19:sandbox-escalations@thread.tacv2',
        groups: ['0b000000-0000-4000-8000-0000000000b8'],
        name: 'Platform on-call',
      },
      autoApprove: undefined,
    });
    expect(policy.rules[1]).toMatchObject({
      id: 'dev-auto',
      approvalsRequired: 0,
      autoApprove: { maxDurationMs: 7 * 86_400_000 },
    });
    expect(policy.rules[2]).toMatchObject({
      id: 'default',
      match: {},
      approvalsRequired: 1,
      approverJustification: 'optional',
    });
    expect(policy.breakGlass).toEqual({
      groups: ['0b000000-0000-4000-8000-0000000000b8'],
      maxDurationMs: 4 * 3_600_000,
      channel: '19:sandbox-security@thread.tacv2',
      // Not in the example: the default.
      cooldownAfterRejectionMs: 24 * 3_600_000,
    });
  });

  test('breakGlass.cooldownAfterRejection: a duration with its unit, 0 turns it off, 24h when absent', () => {
    const withCooldown = (value?: string) =>
      parsePolicy(
        `version: 1
rules:
  - id: a
    approvers: { groups: ["${G1}"] }
breakGlass:
  groups: ["${G1}"]
  maxDuration: 4h
${value === undefined ? '' : `  cooldownAfterRejection: ${value}\n`}`,
        'p.yaml',
      ).breakGlass?.cooldownAfterRejectionMs;
    expect(withCooldown()).toBe(24 * 3_600_000);
    expect(withCooldown('12h')).toBe(12 * 3_600_000);
    expect(withCooldown('7d')).toBe(7 * 86_400_000);
    for (const off of ['0', '"0"', '0h']) expect(withCooldown(off)).toBe(0);
  });

  test('every match field, a single glob or a list; tag values as quoted text', () => {
    const policy = parsePolicy(
      `version: 1
rules:
  - id: all
    match:
      cluster: "aks-*"
      registry: [a*, b*]
      resourceGroup: rg-*
      subscription: "1f0c*"
      clusterResourceGroup: rg-aks
      clusterSubscription: "2f0c*"
      namespace: pay*
      flow: secret
      kind: [token, sp]
      clusterTags: { env: prod, tier: "1" }
      registryTags: { owner: platform }
    approvers: { users: ["${U1}"] }
`,
      'p.yaml',
    );
    expect(policy.rules[0].match).toEqual({
      cluster: ['aks-*'],
      registry: ['a*', 'b*'],
      resourceGroup: ['rg-*'],
      subscription: ['1f0c*'],
      clusterResourceGroup: ['rg-aks'],
      clusterSubscription: ['2f0c*'],
      namespace: ['pay*'],
      flow: ['secret'],
      kind: ['token', 'sp'],
      clusterTags: { env: 'prod', tier: '1' },
      registryTags: { owner: 'platform' },
    });
  });

  test('the hash is the sha256 of the file: any change changes it', () => {
    expect(parsePolicy(EXAMPLE, 'a').hash).not.toBe(parsePolicy(`${EXAMPLE}\n# edited\n`, 'a').hash);
  });

  test('without a file: one rule from ACRBOT_APPROVERS / ACRBOT_APPROVER_GROUP / ACRBOT_APPROVAL_CHANNEL', () => {
    const policy = policyFromEnvironment({
      approverIds: [U1],
      approverGroupId: G1,
      approvalChannelId: '19:approvals@thread.tacv2',
      approverJustificationRequired: true,
    });
    expect(policy.rules).toEqual([
      {
        id: 'default',
        match: {},
        approvers: { users: [U1], groups: [G1], name: 'the approvers' },
        approvalsRequired: 1,
        channel: '19:approvals@thread.tacv2',
        approverJustification: 'required',
      },
    ]);
  });
});

describe('policy file: every problem listed with its location', () => {
  test('field errors: line:column and path of each', () => {
    expect(
      problemsOf(`version: 2
rules:
  - id: a
    match: { clustr: x, registry: [] }
    approvers: { users: [nope] }
    approvalsRequired: 0
    remindAfter: soon
  - id: a
    approvers: { groups: ["${G1}"] }
    escalateAfter: 1h
breakGlass: { groups: [], maxDuration: 4h }
`),
    ).toEqual([
      '1:10 version: must be 1',
      '4:14 rules[0].match.clustr: unknown field: did you mean cluster?',
      '4:35 rules[0].match.registry: must list at least one pattern',
      '5:26 rules[0].approvers.users[0]: an approver user (Entra object id) must be a GUID',
      '6:24 rules[0].approvalsRequired: must be at least 1',
      '7:18 rules[0].remindAfter: "soon" is not a duration; use e.g. 30m, 8h or 7d',
      '8:5 rules[1].escalateTo: escalateAfter needs escalateTo (a channel or groups)',
      '8:9 rules[1].id: the same id as rules[0]',
      '11:23 breakGlass.groups: must list at least one group',
    ]);
  });

  test('a rule nobody could approve, a bad channel, escalation before the reminder, auto longer than max', () => {
    expect(
      problemsOf(`version: 1
rules:
  - id: nobody
    match: { cluster: "aks-nobody*" }
  - id: chan
    match: { cluster: "aks-chan*" }
    approvers: { users: ["${U1}"] }
    channel: general
    remindAfter: 8h
    escalateAfter: 2h
    escalateTo: { groups: ["${G1}"] }
  - id: auto
    maxDuration: 1d
    autoApprove: { maxDuration: 7d }
`),
    ).toEqual([
      '3:5 rules[0].approvers: nobody could approve under this rule: list approvers (users or groups) or use autoApprove',
      '8:14 rules[1].channel: must be a Teams conversation id (19:…@thread.tacv2)',
      '10:20 rules[1].escalateAfter: must be later than remindAfter',
      '14:33 rules[2].autoApprove.maxDuration: must not be longer than the rule maxDuration',
    ]);
  });

  test('breakGlass.cooldownAfterRejection: no unit, not a duration, past 10 years, not text, each at its line:col', () => {
    const at = (value: string) =>
      problemsOf(`version: 1
rules:
  - id: a
    approvers: { groups: ["${G1}"] }
breakGlass:
  groups: ["${G1}"]
  maxDuration: 4h
  cooldownAfterRejection: ${value}
`);
    expect(at('24')).toEqual([
      '8:27 breakGlass.cooldownAfterRejection: 24 has no unit; write it with one, e.g. 24m, 24h or 24d (24s for seconds)',
    ]);
    expect(at('soon')).toEqual([
      '8:27 breakGlass.cooldownAfterRejection: "soon" is not a duration; use e.g. 30m, 8h or 7d',
    ]);
    expect(at('-1h')).toEqual([
      '8:27 breakGlass.cooldownAfterRejection: "-1h" is not a duration; use e.g. 30m, 8h or 7d',
    ]);
    expect(at('99999d')).toEqual([
      '8:27 breakGlass.cooldownAfterRejection: 99999d is longer than 10 years, which no term, reminder or escalation can be; use e.g. 30m, 8h or 7d',
    ]);
    expect(at('[1h]')).toEqual(['8:27 breakGlass.cooldownAfterRejection: must be a duration such as 30m, 8h or 7d']);
  });

  test('with breakGlass, an auto-approving rule without approvers: nobody could review a break-glass grant under it', () => {
    const text = `version: 1
rules:
  - id: dev-auto
    match: { clusterTags: { env: dev } }
    autoApprove: { maxDuration: 7d }
  - id: default
    approvers: { groups: ["${G1}"] }
breakGlass: { groups: ["${G1}"], maxDuration: 4h }
`;
    expect(problemsOf(text)).toEqual([
      '3:5 rules[0].approvers: nobody could review a break-glass grant under rule dev-auto: the policy has breakGlass, ' +
        'and a grant is reviewed by the approvers of the rule that fits it; list approvers (users or groups) here, or remove breakGlass',
    ]);
    // Without break-glass the same rule stands: it approves on its own and nothing is reviewed.
    expect(parsePolicy(text.replace(/^breakGlass:.*\n/m, ''), 'p.yaml').rules[0].id).toBe('dev-auto');
  });

  test('tag values YAML reads as a number, boolean or null are refused, naming the rule and key and how to quote them', () => {
    expect(
      problemsOf(`version: 1
rules:
  - id: strict
    match:
      clusterTags: { costcenter: 0123, version: 1.10 }
      registryTags: { pinned: true, owner: }
    approvers: { users: ["${U1}"] }
`),
    ).toEqual([
      '5:34 rules[0].match.clusterTags.costcenter: rule strict: YAML reads the value of tag costcenter, 0123, as the number 123, ' +
        `which never equals a tag's text; quote it: costcenter: "0123"`,
      '5:49 rules[0].match.clusterTags.version: rule strict: YAML reads the value of tag version, 1.10, as the number 1.1, ' +
        `which never equals a tag's text; quote it: version: "1.10"`,
      '6:31 rules[0].match.registryTags.pinned: rule strict: YAML reads the value of tag pinned, true, as the boolean true, ' +
        `which never equals a tag's text; quote it: pinned: "true"`,
      '6:37 rules[0].match.registryTags.owner: rule strict: YAML reads the value of tag owner as null (no value), ' +
        `which never equals a tag's text; write the value in quotes, e.g. owner: "" for an empty tag`,
    ]);
    // Quoted, the same values are kept as written.
    const policy = parsePolicy(
      `version: 1
rules:
  - id: strict
    match: { clusterTags: { costcenter: "0123", version: "1.10" }, registryTags: { pinned: "true", owner: "" } }
    approvers: { users: ["${U1}"] }
`,
      'p.yaml',
    );
    expect(policy.rules[0].match).toEqual({
      clusterTags: { costcenter: '0123', version: '1.10' },
      registryTags: { pinned: 'true', owner: '' },
    });
  });

  test('a quorum the named users could never reach, and a user listed twice (ids compared without case)', () => {
    expect(
      problemsOf(`version: 1
rules:
  - id: one-user
    match: { cluster: "aks-one*" }
    approvers: { users: ["${U1}"] }
    approvalsRequired: 3
  - id: twice
    match: { cluster: "aks-twice*" }
    approvers: { users: ["${U1}", "${U1.toUpperCase()}", "${U2}"] }
    approvalsRequired: 3
  - id: with-group
    match: { cluster: "aks-group*" }
    approvers: { users: ["${U1}"], groups: ["${G1}"] }
    approvalsRequired: 3
  - id: enough
    approvers: { users: ["${U1}", "${U2}"] }
    approvalsRequired: 2
`),
    ).toEqual([
      '6:24 rules[0].approvalsRequired: needs 3 approvals, but the rule names only 1 approver and no groups, ' +
        'so no request under it could ever be approved; lower approvalsRequired, or list more users or a group',
      '9:66 rules[1].approvers.users[1]: the same user as approvers.users[0] (object ids are compared without regard to case); ' +
        'list each approver once',
      '10:24 rules[1].approvalsRequired: needs 3 approvals, but the rule names only 2 approvers and no groups, ' +
        'so no request under it could ever be approved; lower approvalsRequired, or list more users or a group',
    ]);
  });

  test('escalateTo that names nobody, and reminders or escalations at or after the longest approval TTL (24h)', () => {
    expect(
      problemsOf(`version: 1
rules:
  - id: nobody-told
    match: { cluster: "aks-nobody*" }
    approvers: { users: ["${U1}"] }
    escalateAfter: 2h
    escalateTo: {}
  - id: too-late
    match: { cluster: "aks-late*" }
    approvers: { users: ["${U1}"] }
    remindAfter: 24h
    escalateAfter: 2d
    escalateTo: { groups: ["${G1}"] }
  - id: in-time
    approvers: { users: ["${U1}"] }
    remindAfter: 23h
    escalateAfter: 1439m
    escalateTo: { channel: "19:oncall@thread.tacv2" }
`),
    ).toEqual([
      '7:17 rules[0].escalateTo: names nobody: give escalateTo a channel or at least one group',
      '11:18 rules[1].remindAfter: could never come: a request waits at most 24h for a decision (the longest ACRBOT_APPROVAL_TTL) ' +
        'and has expired by then; make it shorter than 24h',
      '12:20 rules[1].escalateAfter: could never come: a request waits at most 24h for a decision (the longest ACRBOT_APPROVAL_TTL) ' +
        'and has expired by then; make it shorter than 24h',
    ]);
  });

  test('flow and kind patterns that fit no request are refused: a typo must not send requests on to a later rule', () => {
    const text = `version: 1
rules:
  - id: prod-secrets
    match: { registry: "contoso*", flow: secrets, kind: [token, serviceprincipal] }
    approvers: { users: ["${U1}", "${U2}"] }
    approvalsRequired: 2
  - id: globbed
    match: { flow: "s*", kind: ["SP", "role*"] }
    approvers: { users: ["${U1}"] }
`;
    expect(problemsOf(text)).toEqual([
      `4:42 rules[0].match.flow: "secrets" fits no flow (a request's flow is grant or secret), so this condition never fits; check the spelling`,
      `4:65 rules[0].match.kind[1]: "serviceprincipal" fits no kind (a request's kind is roleAssignment, token or sp), so this condition never fits; check the spelling`,
    ]);
    // Spelt right, the same rule fits the secrets it was written for.
    expect(
      parsePolicy(text.replace('secrets,', 'secret,').replace('serviceprincipal', 'sp'), 'p.yaml').rules[0].match,
    ).toMatchObject({ flow: ['secret'], kind: ['token', 'sp'] });
  });

  test('a rule called break-glass, in any case, is refused: audit entries name break-glass decisions with that id', () => {
    const text = `version: 1
rules:
  - id: break-glass
    match: { cluster: "aks-prod*" }
    approvers: { users: ["${U1}"] }
  - id: Break-Glass
    match: { cluster: "aks-dev*" }
    approvers: { users: ["${U1}"] }
  - id: BREAK-GLASS
    match: {}
    approvers: { users: ["${U1}"] }
`;
    expect(problemsOf(text)).toEqual([
      '3:9 rules[0].id: "break-glass" is reserved: audit entries name break-glass decisions with it; choose another id',
      '6:9 rules[1].id: "Break-Glass" is reserved: audit entries name break-glass decisions with it; choose another id',
      '9:9 rules[2].id: "BREAK-GLASS" is reserved: audit entries name break-glass decisions with it; choose another id',
    ]);
    // Ids that only contain it are rules like any other.
    const renamed = text
      .replace('id: break-glass', 'id: break-glass-prod')
      .replace('id: Break-Glass', 'id: breakglass')
      .replace('id: BREAK-GLASS', 'id: glass-break');
    expect(parsePolicy(renamed, 'p.yaml').rules.map((r) => r.id)).toEqual([
      'break-glass-prod',
      'breakglass',
      'glass-break',
    ]);
  });

  test('a tag named twice in different case is refused: names are compared without case, so the rule could never fit', () => {
    expect(
      problemsOf(`version: 1
rules:
  - id: prod
    match: { clusterTags: { env: prod, Env: production }, registryTags: { owner: platform } }
    approvers: { users: ["${U1}"] }
`),
    ).toEqual([
      '4:45 rules[0].match.clusterTags.Env: the same tag as env (tag names are compared without regard to case, as Azure does); list each tag once',
    ]);
  });

  test('escalateTo without escalateAfter is refused: nobody would ever be escalated to', () => {
    expect(
      problemsOf(`version: 1
rules:
  - id: prod
    approvers: { users: ["${U1}"] }
    remindAfter: 2h
    escalateTo: { channel: "19:oncall@thread.tacv2" }
`),
    ).toEqual([
      '6:17 rules[0].escalateTo: needs escalateAfter (how long a request waits before it is escalated); without it nobody is ever escalated to',
    ]);
  });

  test('approvalsRequired, reminders and escalation next to autoApprove are refused: the rule approves on its own', () => {
    const noEffect = (field: string) =>
      `has no effect with autoApprove: the rule approves its requests itself, so no approver is counted, reminded or escalated to; ` +
      `remove ${field}, or remove autoApprove if people must approve`;
    expect(
      problemsOf(`version: 1
rules:
  - id: prod
    match: { clusterTags: { env: prod } }
    approvers: { users: ["${U1}", "${U2}"] }
    approvalsRequired: 2
    remindAfter: 2h
    escalateAfter: 8h
    escalateTo: { groups: ["${G1}"] }
    autoApprove: { maxDuration: 7d }
`),
    ).toEqual([
      `6:24 rules[0].approvalsRequired: ${noEffect('approvalsRequired')}`,
      `7:18 rules[0].remindAfter: ${noEffect('remindAfter')}`,
      `8:20 rules[0].escalateAfter: ${noEffect('escalateAfter')}`,
      `9:17 rules[0].escalateTo: ${noEffect('escalateTo')}`,
    ]);
  });

  test('YAML syntax errors carry their line', () => {
    const problems = problemsOf('version: 1\nrules: [\n  - id: a\n');
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatch(/^3:3 : /);
  });

  test('a missing rules list and an unknown top-level field', () => {
    expect(problemsOf('version: 1\nrulez: []\n')).toEqual([
      '1:1 rules: must be a list of rules',
      '2:1 rulez: unknown field: did you mean rules?',
    ]);
  });
});

describe('policy file at start and on reload', () => {
  const dir = useTempDir('acrbot-policy-');

  test('ACRBOT_POLICY with problems: loadConfig refuses to start and lists each one with file:line:col', () => {
    const file = dir.path('bad.yaml');
    writeFileSync(file, 'version: 1\nrules:\n  - id: x\n    approvalsRequired: two\n');
    let error: unknown;
    try {
      loadConfig({ ACRBOT_POLICY: file });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as ConfigError).message;
    expect(text).toContain(`${file}:4:24 rules[0].approvalsRequired: must be a whole number`);
    expect(text).toContain(`${file}:3:5 rules[0].approvers: nobody could approve`);
  });

  test('at start, reminders are checked against the ACRBOT_APPROVAL_TTL in force', () => {
    const file = dir.path('ttl.yaml');
    writeFileSync(file, `version: 1\nrules:\n  - id: r\n    approvers: { users: ["${U1}"] }\n    remindAfter: 8h\n`);
    expect(() => loadConfig({ ACRBOT_POLICY: file, ACRBOT_APPROVAL_TTL: '8h' })).toThrow(
      `${file}:5:18 rules[0].remindAfter: could never come: a request waits at most 8h for a decision (ACRBOT_APPROVAL_TTL) and has expired by then; make it shorter than 8h`,
    );
    expect(loadConfig({ ACRBOT_POLICY: file, ACRBOT_APPROVAL_TTL: '9h' }).policy.rules[0].remindAfterMs).toBe(
      8 * 3_600_000,
    );
  });

  test('ACRBOT_APPROVERS, ACRBOT_APPROVER_GROUP and ACRBOT_APPROVER_JUSTIFICATION with ACRBOT_POLICY: refused, saying to move them into the file', () => {
    const file = dir.path('with-env.yaml');
    writeFileSync(file, EXAMPLE);
    const problemsWith = (env: Record<string, string>) => {
      try {
        loadConfig({ ACRBOT_POLICY: file, ...env });
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as ConfigError).problems;
      }
      throw new Error('expected loadConfig to throw');
    };
    expect(
      problemsWith({ ACRBOT_APPROVERS: U1, ACRBOT_APPROVER_GROUP: G1, ACRBOT_APPROVER_JUSTIFICATION: 'optional' }),
    ).toEqual([
      'ACRBOT_APPROVERS, ACRBOT_APPROVER_GROUP and ACRBOT_APPROVER_JUSTIFICATION are not used when ACRBOT_POLICY is set: ' +
        'the policy file decides who approves and whether approvals need a justification. Move them into the file ' +
        "(a rule's approvers.users and approvers.groups, approverJustification: required) and unset them",
    ]);
    expect(problemsWith({ ACRBOT_APPROVER_JUSTIFICATION: 'required' })).toEqual([
      expect.stringMatching(/^ACRBOT_APPROVER_JUSTIFICATION is not used when ACRBOT_POLICY is set: .* and unset it$/),
    ]);
    // Empty counts as unset (as everywhere in the configuration).
    expect(loadConfig({ ACRBOT_POLICY: file, ACRBOT_APPROVERS: '' }).policy.source).toBe('file');
  });

  test('a missing file is a problem too', () => {
    expect(() => loadConfig({ ACRBOT_POLICY: dir.path('absent.yaml') })).toThrow(
      /cannot read the file \(ENOENT\): there is no such file \(check ACRBOT_POLICY/,
    );
  });

  test('ACRBOT_POLICY replaces the environment rule; azure mode then needs no ACRBOT_APPROVERS', () => {
    const file = dir.path('good.yaml');
    writeFileSync(file, EXAMPLE);
    expect(loadConfig({ ACRBOT_POLICY: file }).policy.rules[0].id).toBe('prod-registries');
  });

  test('reload: a changed file takes effect; a broken one is reported and the last good policy stays', async () => {
    const file = dir.path('reload.yaml');
    writeFileSync(file, EXAMPLE);
    const reports: boolean[] = [];
    const source = new PolicySource(loadPolicy(EXAMPLE, file), file, (r) => reports.push(r.ok), settledAtOnce);
    const before = source.current().hash;
    writeFileSync(file, EXAMPLE.replace('approvalsRequired: 2', 'approvalsRequired: 3'));
    expect(await source.reload()).toMatchObject({ ok: true, changed: true });
    expect(source.current().rules[0].approvalsRequired).toBe(3);
    const good = source.current().hash;
    expect(good).not.toBe(before);
    writeFileSync(file, 'version: 1\nrules: nope\n');
    expect((await source.reload()).ok).toBe(false);
    expect(source.current().hash).toBe(good);
    expect(reports).toEqual([true, false]);
  });

  test('a rule nobody could review break-glass under: acrbot does not start, and a reload keeps the last good policy', async () => {
    const unreviewable = EXAMPLE.replace(/\n {4}approvers: .*\n( {4}autoApprove)/, '\n$1');
    expect(unreviewable).not.toBe(EXAMPLE);
    const problem =
      /unreviewable\.yaml:\d+:5 rules\[1\]\.approvers: nobody could review a break-glass grant under rule dev-auto/;
    const file = dir.path('unreviewable.yaml');
    writeFileSync(file, unreviewable);
    expect(() => loadConfig({ ACRBOT_POLICY: file })).toThrow(problem);
    writeFileSync(file, EXAMPLE);
    const source = new PolicySource(loadPolicy(EXAMPLE, file), file, undefined, settledAtOnce);
    const good = source.current().hash;
    writeFileSync(file, unreviewable);
    const reload = await source.reload();
    expect(reload.ok).toBe(false);
    expect(!reload.ok && reload.error.message).toMatch(problem);
    expect(source.current().hash).toBe(good);
  });

  test('a change to the file is picked up by the watcher', async () => {
    const file = dir.path('watched.yaml');
    writeFileSync(file, EXAMPLE);
    let reloaded!: (result: PolicyReload) => void;
    const changed = new Promise<PolicyReload>((resolve) => (reloaded = resolve));
    const source = new PolicySource(
      loadPolicy(EXAMPLE, file),
      file,
      (r) => {
        if (!r.ok || r.changed) reloaded(r);
      },
      settledAtOnce,
    );
    source.watch();
    writeFileSync(file, EXAMPLE.replace('approvalsRequired: 2', 'approvalsRequired: 3'));
    expect(await changed).toMatchObject({ ok: true, changed: true });
    source.close();
    expect(source.current().rules[0].approvalsRequired).toBe(3);
  });

  test('a folder removed and made again is watched again: the policy written into it is loaded', async () => {
    const folder = dir.path('mounted');
    mkdirSync(folder);
    const file = join(folder, 'policy.yaml');
    writeFileSync(file, EXAMPLE);
    const results: PolicyReload[] = [];
    let notify: () => void = () => undefined;
    const source = new PolicySource(
      loadPolicy(EXAMPLE, file),
      file,
      (r) => {
        results.push(r);
        notify();
      },
      { ...settledAtOnce, rewatchMs: 20 },
    );
    const reloadWhere = (ok: (r: PolicyReload) => boolean) =>
      new Promise<PolicyReload>((resolve) => {
        notify = () => {
          const found = results.find(ok);
          if (found) resolve(found);
        };
      });
    source.watch();
    try {
      const back = reloadWhere((r) => r.ok && r.changed);
      rmSync(folder, { recursive: true });
      mkdirSync(folder);
      writeFileSync(file, EXAMPLE.replace('approvalsRequired: 2', 'approvalsRequired: 3'));
      expect(await back).toMatchObject({ ok: true, changed: true });
      expect(source.current().rules[0].approvalsRequired).toBe(3);
      // And it is watched again: the next edit is seen too.
      const next = reloadWhere((r) => r.ok && r.changed && r.policy.rules[0].approvalsRequired === 4);
      writeFileSync(file, EXAMPLE.replace('approvalsRequired: 2', 'approvalsRequired: 4'));
      expect((await next).policy.rules[0].approvalsRequired).toBe(4);
    } finally {
      source.close();
    }
  });
});

/**
 * G12 for typed text: a reason or comment that says a password in prose ("the pull password is
 * Tr0ub4dor&3", "pw hunter2Zx!9") or holds a random base64 run (an ACR token password, 44
 * characters ending in `=` as the emulator's, CONTRACTS §2.3, or 52 in newer registries) is
 * refused, though the scrubber leaves such words in logs. Ordinary words after a password's name
 * ("the password is expired", "pass is needed") and the ids reasons quote (git SHAs, image
 * digests, UUIDs, Azure resource ids, long names, links) are not; and the refusal never quotes
 * the value it refused.
 */
import { checkReason, looksLikeSecret, singleLine } from '../../src/domain/text';
import { reasonRefusal } from './support/reason-refusal';

/** An ACR token password as the emulator makes one: 32 random bytes in base64. */
const ACR_PASSWORD_44 = '+a1t5J1erZLgp2SZdYcp73SC4pi+2+8tCR6bO7RzU44=';
/** As newer registries give one: 52 characters, `+ACR` among them. */
const ACR_PASSWORD_52 = 'svCdTNiFo+56uug1j4JbxcI2yIdGEwiGUGgLoHzajQ+ACRbZxCch';

/** The refusal `checkReason` throws for `raw`, or undefined when it accepts it. */
const refusal = reasonRefusal;

test('the ACR passwords used here have the lengths registries give', () => {
  expect(ACR_PASSWORD_44).toHaveLength(44);
  expect(ACR_PASSWORD_52).toHaveLength(52);
});

describe('a password said in prose, or a random base64 run, is refused without being quoted back', () => {
  // [what, the reason, the secret in it (never in the refusal), the words the refusal shows or null]
  test.each<[string, string, string, string | null]>([
    [
      'the review: "is" and a password',
      'the pull password is Tr0ub4dor&3',
      'Tr0ub4dor&3',
      'the pull password is [redacted]',
    ],
    ['the review: pw and no verb', 'pw hunter2Zx!9 for the pull', 'hunter2Zx!9', 'pw [redacted]'],
    ['the review: a 44-character ACR password', `pass is ${ACR_PASSWORD_44}`, ACR_PASSWORD_44, 'pass is [redacted]'],
    [
      'a 52-character ACR password',
      `token password ${ACR_PASSWORD_52} for ci`,
      ACR_PASSWORD_52,
      'token password [redacted]',
    ],
    ['an ACR password alone, quoted, at a sentence end', `pull with "${ACR_PASSWORD_44}".`, ACR_PASSWORD_44, null],
    ['"was" and a comma after', 'password was hunter2, rotate it after', 'hunter2', 'password was [redacted]'],
    ['PW: in capitals', 'the PW: Summer2024! for myreg', 'Summer2024', 'the PW: [redacted]'],
    ['pwd =', 'pwd = s3cr3tValue for the deploy', 's3cr3tValue', 'pwd = [redacted]'],
    ['passwd is, quoted', 'passwd is "Kube#Pull9" on the agent', 'Kube#Pull9', 'passwd is [redacted]'],
    ['what it is for, then is', 'the password for the pull token is Xy7#kLm2q', 'Xy7#kLm2q', null],
    ['passphrase:', 'passphrase: correct7horse!battery please', 'correct7horse!battery', null],
    ['passwords are', 'deploy hotfix, passwords are Alpha9$Beta', 'Alpha9$Beta', null],
    ['pass = with @', 'pass = P@ssw0rd-2024 for the build', 'P@ssw0rd-2024', 'pass = [redacted]'],
    ['pw: without a space', 'pw:hunter2 pull images', 'hunter2', 'pw:[redacted]'],
    ['in brackets', 'the Password is (Tr0ub4dor&3) today', 'Tr0ub4dor&3', null],
    [
      'a 40-character random key, unmarked',
      'use key PlBwL8Zc4FYunymdYHEuSughrYiBAXH3XG9O6E2U now',
      'PlBwL8Zc4FYunymdYH',
      null,
    ],
    ['a GitHub token shape', 'ci uses ghp_vE2kXYiN68268hdhDFMq2n21WZWJhyrwhiwX here', 'vE2kXYiN68268hd', null],
    ['a short base64 run with a +', 'the key xCGhPvD0+WidnhJ6Qg6uoVUGC is for prod', 'xCGhPvD0', null],
    ['a joiner inside the name', 'pass\u200Dword is Tr0ub4dor&3 today', 'Tr0ub4dor&3', null],
  ])('%s', (_what, raw, secret, where) => {
    expect(looksLikeSecret(singleLine(raw))).toBe(true);
    const err = refusal(raw);
    expect(err?.code).toBe('validation.secret');
    expect(err?.message).not.toContain(secret);
    expect(err?.message).toMatch(/looks like it contains a credential/);
    if (where) expect(err?.message).toContain(`where it says "${where}"`);
  });
});

describe('ordinary reasons naming a password, and the ids reasons quote, are accepted', () => {
  test.each([
    'the password is expired',
    'pass is needed for prod deploy',
    'the password was rotated in INC-4521, pull again',
    'the pass was approved by security',
    'the password is in Key Vault kv-prod-01',
    'pw reset for the build agent is done',
    'password policy v2.1 blocks the build',
    'pass: QA-approved build 42 to prod',
    'the pw was 90 days old, renew pull',
    'pwd is /home/builder/app2 on the agent',
    'ask alice: the password owner is alice@contoso.com',
    'the pass-through proxy needs Build2024x pull',
    'bypass is Tr0ub4dor for now, compass was 42',
    // A git SHA (40 hex) and an image digest (sha256: and 64 hex), as reasons quote them.
    'rebuild at commit 3f786850e387550fdab836ed7e6dc881de23001b for the hotfix',
    'pin image sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 in prod',
    'commit 3F786850E387550FDAB836ED7E6DC881DE23001B in capitals',
    // UUIDs and Azure resource ids, with and without a provider's dotted name.
    'request 0b8e2c3a-4f1d-4c2e-9a7b-1f23e4d5a6bc failed, retry the pull',
    'scope /subscriptions/0b8e2c3a-4f1d-4c2e-9a7b-1f23e4d5a6bc/resourceGroups/rg-Payments-Prod2 for the deploy',
    'pull on /subscriptions/0b8e2c3a-4f1d-4c2e-9a7b-1f23e4d5a6bc/resourceGroups/rg-Payments-Prod2/providers/Microsoft.ContainerRegistry/registries/contosoAcr01',
    // Long names, camel and kebab, and paths.
    'deploy payments-api-blue-green-canary-rollout-2024-q3-eu-west for the release',
    'fix AzureKubernetesService2024ReleasePipelineForProduction build',
    'path contoso/PaymentsApi2/builds/Release2024 needs pull',
    'pod payments-api-7d9f8b6c5d-x2k4p crashloops on ImagePullBackOff',
    // Links without credentials.
    'see https://dev.azure.com/contoso/Payments/_build/results?buildId=48213&view=logs for the failure',
    'runbook https://contoso.sharepoint.com/sites/Platform/SitePages/AcrPull2024.aspx says so',
    // Base64-looking but harmless: short, or words.
    'decode SGVsbG8gV29ybGQ= in the test fixture',
    'the InfrastructureAsCodeTeam owns TeamFoundationServer2019 builds',
  ])('%j', (raw) => {
    expect(looksLikeSecret(raw)).toBe(false);
    expect(checkReason(raw)).toBe(raw);
  });
});

describe('the words of a refusal never quote a value found elsewhere in them', () => {
  test('a password in prose just before a scrubbed token is replaced in the words shown', () => {
    const err = refusal('password: hunter2 and token=abcdef123456');
    expect(err?.code).toBe('validation.secret');
    expect(err?.message).not.toContain('hunter2');
    expect(err?.message).not.toContain('abcdef123456');
  });

  test('a client secret in prose further back is not shown either', () => {
    const err = refusal('clientsecret: Zq9xLm2vB7 was set, token=abcdef123456 too');
    expect(err?.code).toBe('validation.secret');
    expect(err?.message).not.toContain('Zq9xLm2vB7');
    expect(err?.message).not.toContain('abcdef123456');
  });
});

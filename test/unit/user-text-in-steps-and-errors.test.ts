/**
 * User text the reviewer found shown raw: the secret and service account names in a revoke
 * confirmation's steps (one request's and a pair's), the manifest snippet's fallback rows (a
 * markdown TextBlock in a monospace font, not code), and a refused name quoted back in its
 * validation error (newlines kept, cut by UTF-16 unit).
 */
import { UserFacingError } from '../../src/domain/errors';
import { parseClusterRef, parseRegistryRef } from '../../src/domain/names';
import { revokeConfirmCard, revokePairConfirmCard, type RevocationLine } from '../../src/views/lifecycle-view';
import { outcomeCard } from '../../src/views/request-view';
import { pendingRequest, secretPlan } from './support/requests';

/** A `www.` host as written: clients link it by themselves (inertText puts a zero-width space after `www`). */
const LIVE_WWW = /\bwww\./i;

const plan = secretPlan({
  secretName: 'www.evil-login.example',
  serviceAccount: 'www.sa.example',
  repositories: ['www.evil.example/login'],
});
const granted = pendingRequest({
  plan,
  state: 'succeeded',
  decision: { approved: true, by: { objectId: 'b', name: 'Alex Approver' }, at: '2025-01-15T10:00:00.000Z' },
  outcome: { summary: 'granted', azureRequestIds: [], createdIds: [] },
  access: { durationMs: 86_400_000, expiresAt: '2025-01-16T10:00:00.000Z' },
});

/** The steps revocation-preview.ts lists for a pull secret (targets as it builds them). */
const lines: RevocationLine[] = [
  {
    what: 'Kubernetes secret',
    target: `${plan.namespace}/${plan.secretName} in ${plan.cluster.name}`,
    action: 'delete',
    why: 'only if it is still the one acrbot wrote for this request',
  },
  {
    what: 'imagePullSecrets entry',
    target: `service account ${plan.namespace}/${plan.serviceAccount}`,
    action: 'delete',
  },
  {
    what: 'imagePullSecrets entry',
    target: 'service account payments/[x](https://evil.example)',
    action: 'keep',
    why: 'not added',
  },
];

/** The text of every TextBlock in a card. */
function textBlocks(card: unknown): string[] {
  const found: string[] = [];
  JSON.stringify(card, (_key, value: unknown) => {
    const block = value as { type?: string; text?: unknown };
    if (block && block.type === 'TextBlock' && typeof block.text === 'string') found.push(block.text);
    return value;
  });
  return found;
}

describe('revoke confirmation steps name the secret and service account inertly', () => {
  test.each([
    ['one request', () => revokeConfirmCard(granted, lines, undefined)],
    [
      'a pair',
      () =>
        revokePairConfirmCard({ cluster: 'aks-prod', registry: 'contosoacr', sandbox: true }, [
          { request: granted, lines },
        ]),
    ],
  ])('%s: readable, no live www. host or link', (_what, render) => {
    const text = textBlocks(render()).join('\n');
    expect(text).toContain('evil-login.example');
    expect(text).toContain('sa.example');
    expect(text).not.toMatch(LIVE_WWW);
    expect(text).not.toMatch(/\]\(|https:\/\//);
  });
});

describe('the manifest snippet', () => {
  const card = outcomeCard(granted);
  const monospace = JSON.stringify(card, (key, value: unknown) => (key === 'codeSnippet' ? undefined : value)).split(
    '"fallback"',
  )[1]!;

  test('its fallback rows (markdown TextBlocks) show the names inertly', () => {
    expect(monospace).toContain('evil-login.example');
    expect(monospace).not.toMatch(LIVE_WWW);
  });

  test('its CodeBlock (code, never a link) keeps the name exactly, for copying', () => {
    expect(JSON.stringify(card)).toContain('"codeSnippet":');
    expect(JSON.stringify(card)).toContain('name: www.evil-login.example');
  });
});

describe('a refused name is quoted on one line', () => {
  function messageOf(fn: () => unknown): string {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(UserFacingError);
      return (err as UserFacingError).message;
    }
    throw new Error('expected a UserFacingError, nothing was thrown');
  }

  test.each([
    ['cluster', () => parseClusterRef('aks-prod\n\n**Approved by Alex Approver**')],
    ['registry', () => parseRegistryRef('contoso\r\n**Approved by Alex Approver**')],
    ['resource group', () => parseClusterRef('rg\u2028x/aks-prod')],
  ])('%s: no line break is kept', (_what, parse) => {
    const message = messageOf(parse);
    expect(message).not.toMatch(/[\r\n\u2028\u2029]/);
    expect(message).toMatch(/^"[^"]+" is not a valid /);
  });

  test('the quote is cut by character, never inside one', () => {
    const message = messageOf(() => parseClusterRef(`a${'😀'.repeat(80)}`));
    const quoted = /^"([^"]*)"/.exec(message)![1]!;
    expect(quoted).toBe(`a${'😀'.repeat(56)}…`);
    expect(quoted).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  });
});

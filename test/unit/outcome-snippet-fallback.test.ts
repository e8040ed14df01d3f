/**
 * The outcome card's manifest snippet where CodeBlock is not drawn (Teams mobile,
 * microsoft/AdaptiveCards#9072): its fallback rows keep the indentation with non-breaking spaces,
 * which YAML does not count as indentation, so copied they parse into another structure (or,
 * with two lines alike, fail). The rows are for reading: a line above them says so and where to copy the snippet
 * from, and nothing in the fallback offers it for copying. The CodeBlock keeps the manifest.
 */
import { parse } from 'yaml';
import { deploymentSnippet } from '../../src/domain/manifest-snippet';
import { outcomeCard } from '../../src/views/request-view';
import { APPROVER, pendingRequest, secretPlan } from './support/requests';

interface Element {
  type?: string;
  text?: string;
  fontType?: string;
  codeSnippet?: string;
  items?: Element[];
  fallback?: Element;
}

const decided = {
  state: 'succeeded' as const,
  decision: { approved: true, by: APPROVER, at: '2025-01-15T10:00:00.000Z' },
  access: { durationMs: 86_400_000, expiresAt: '2025-01-16T10:00:00.000Z' },
};
const grant = pendingRequest({ ...decided, outcome: { summary: 'granted', azureRequestIds: [], createdIds: [] } });
const secret = pendingRequest({
  ...decided,
  // Not added to a service account: the pod names the secret (imagePullSecrets, a list).
  plan: secretPlan({ serviceAccount: 'deployer', repositories: ['team/api'] }),
  outcome: {
    summary: 'created',
    azureRequestIds: [],
    createdIds: [],
    cleanup: 'none',
    secret: { action: 'created', serviceAccountPatched: false },
  },
});

function codeBlockOf(card: unknown): Element {
  const block = (card as { body: Element[] }).body.find((e) => e.type === 'CodeBlock');
  if (!block) throw new Error('no CodeBlock');
  return block;
}

describe.each([
  ['a grant', grant],
  ['a pull secret named by the pod', secret],
])('the snippet of %s', (_name, request) => {
  const block = codeBlockOf(outcomeCard(request));
  const fallback = block.fallback!.items!;
  const rows = fallback.filter((e) => e.fontType === 'Monospace');
  const prose = fallback.filter((e) => e.fontType !== 'Monospace');

  test('the CodeBlock holds the manifest as the domain writes it', () => {
    expect(block.codeSnippet).toBe(
      deploymentSnippet({
        loginServer: request.plan.registry.loginServer,
        ...(request.plan.kind === 'secret' && {
          namespace: request.plan.namespace,
          serviceAccount: 'deployer',
          imagePullSecret: request.plan.secretName,
          repository: 'team/api',
        }),
      }),
    );
  });

  test('the fallback rows, copied, are not that manifest: hence the line above them', () => {
    const copied = rows.map((row) => row.text).join('\n');
    // YAML reads a grant's without an error, and wrongly (a key "  name" beside `metadata:
    // null`); a secret's, with two keys alike at the top, at least fails.
    let read: unknown;
    try {
      read = parse(copied);
    } catch {
      read = 'refused';
    }
    expect(read).not.toEqual(parse(block.codeSnippet!));
  });

  test('one line above the rows says they are for reading and where to copy the snippet from', () => {
    expect(fallback[0]).toBe(prose[0]);
    expect(prose).toHaveLength(1);
    expect(prose[0]!.text).toMatch(/^For reading: its indentation does not survive copying from here\./);
    expect(prose[0]!.text).toContain('Copy it from this card in Teams on a computer or in a browser');
  });

  test('nothing in the fallback offers the rows for copying', () => {
    const said = prose.map((e) => e.text!).join(' ');
    // The one "Copy" sends the reader elsewhere; no "copy this/below/here", no "paste".
    expect(said.match(/\bcopy\b/gi)).toEqual(['Copy']);
    expect(said).not.toMatch(/copy (this|these|below|the lines)|copyable|paste|kubectl apply/i);
    expect(rows.every((row) => !/copy/i.test(row.text!))).toBe(true);
  });
});

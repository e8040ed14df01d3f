/**
 * The facts request and outcome cards show, per kind of request and state: the manifest snippet
 * parses as the YAML kubectl reads and pulls the way the flow set it up, the credential named and
 * dated is the live one, and the approvers named are those who approved.
 */
// Its `main` does not load in Node (TOOLCHAIN.md); the dist bundle does.
const AC = require('adaptivecards/dist/adaptivecards.js');
import { parse } from 'yaml';
import type { SecretPlan } from '../../src/domain/plan';
import type { PolicyRule } from '../../src/domain/policy';
import type { AccessRequest, Outcome } from '../../src/domain/request';
import { ROLE_IDS } from '../../src/domain/roles';
import type { AdaptiveCardJson } from '../../src/views/card-templates';
import { requesterNewsCard } from '../../src/views/lifecycle-view';
import { outcomeCard, requestCard } from '../../src/views/request-view';
import { APPROVER, OUTSIDER, pendingRequest, REQUESTER, secretPlan } from './support/requests';

const AT = '2025-01-15T10:00:00.000Z';
const approved = { by: APPROVER, at: AT, approved: true };
const granted: Outcome = { summary: 'done.', azureRequestIds: ['a1'], cleanup: 'none' };

type Block = { type: string; text?: string; codeSnippet?: string; facts?: Array<{ title: string; value: string }> };
const body = (card: AdaptiveCardJson) => card.body as Block[];
const facts = (card: AdaptiveCardJson) =>
  Object.fromEntries(
    body(card)
      .find((b) => b.type === 'FactSet')!
      .facts!.map((f) => [f.title, f.value]),
  );
const texts = (card: AdaptiveCardJson) => body(card).flatMap((b) => (b.type === 'TextBlock' ? [b.text!] : []));

/** The Deployment an outcome card shows, as kubectl (sigs.k8s.io/yaml, YAML 1.1) would read it. */
function deployment(card: AdaptiveCardJson) {
  const snippet = body(card).find((b) => b.type === 'CodeBlock')!.codeSnippet!;
  return parse(snippet, { version: '1.1', strict: true, uniqueKeys: true });
}

function succeededSecret(plan: Partial<SecretPlan>, secret?: Outcome['secret']): AccessRequest {
  return pendingRequest({
    plan: secretPlan(plan),
    state: 'succeeded',
    decision: approved,
    outcome: { ...granted, ...(secret && { secret }) },
  });
}

function parseErrors(card: AdaptiveCardJson): string[] {
  const parsed = new AC.AdaptiveCard();
  const context = new AC.SerializationContext();
  parsed.parse(card, context);
  const messages: string[] = [];
  for (let i = 0; i < context.eventCount; i++) messages.push(context.getEventAt(i).message);
  return messages.filter((m) => m !== 'Unknown element type "CodeBlock". Fallback will be used if present.');
}

describe('the manifest snippet pulls the way the flow set it up', () => {
  test('a token limited to some repositories: the image is one of them, not a repository it cannot pull', () => {
    const card = outcomeCard(succeededSecret({ repositories: ['team/app', 'team/worker'] }));
    const pod = deployment(card).spec.template.spec;
    expect(pod.containers[0].image).toBe('contosoacr.azurecr.io/team/app:1.0.0');
    expect(pod.imagePullSecrets).toEqual([{ name: 'acr-auth' }]);
    expect(parseErrors(card)).toEqual([]);
  });

  test('--service-account the run added the secret to: the pod runs as it and names no secret itself', () => {
    const card = outcomeCard(
      succeededSecret(
        { serviceAccount: 'builder' },
        { action: 'created', serviceAccountPatched: true, serviceAccounts: ['builder'] },
      ),
    );
    const d = deployment(card);
    expect(d.metadata.namespace).toBe('payments');
    expect(d.spec.template.spec.serviceAccountName).toBe('builder');
    expect(d.spec.template.spec.imagePullSecrets).toBeUndefined();
    expect(texts(card)).toContain(
      // Kubernetes adds a service account's imagePullSecrets only to pods created from now on
      // that list none of their own: running pods and pods listing their own are told what to do.
      'New pods in namespace payments that run as service account builder and list no imagePullSecrets of their own pull with the secret. Restart existing pods (kubectl rollout restart deployment/NAME -n payments); pods that list their own imagePullSecrets need acr-auth added.',
    );
  });

  test('--service-account the run could not add it to: the pod names the secret as well', () => {
    const card = outcomeCard(
      succeededSecret({ serviceAccount: 'builder' }, { action: 'created', serviceAccountPatched: false }),
    );
    const pod = deployment(card).spec.template.spec;
    expect(pod.serviceAccountName).toBe('builder');
    expect(pod.imagePullSecrets).toEqual([{ name: 'acr-auth' }]);
    expect(texts(card)).toContain('Reference the secret from pods in namespace payments.');
  });

  test('Kubernetes names YAML would read as numbers or booleans stay strings', () => {
    const card = outcomeCard(
      succeededSecret(
        { namespace: '123', secretName: 'on', serviceAccount: 'yes' },
        { action: 'created', serviceAccountPatched: false },
      ),
    );
    const d = deployment(card);
    expect(d.metadata.namespace).toBe('123');
    expect(d.spec.template.spec.serviceAccountName).toBe('yes');
    expect(d.spec.template.spec.imagePullSecrets).toEqual([{ name: 'on' }]);
  });

  test('a grant: the image on the login server, and nothing about secrets', () => {
    const card = outcomeCard(pendingRequest({ state: 'succeeded', decision: approved, outcome: granted }));
    const d = deployment(card);
    expect(d.spec.template.spec).toEqual({
      containers: [{ name: 'my-app', image: 'contosoacr.azurecr.io/my-app:1.0.0' }],
    });
    expect(d.spec.selector.matchLabels).toEqual(d.spec.template.metadata.labels);
  });
});

describe('the credential a secret card names is the live one', () => {
  // An extension rotated a credential named after itself into the secret; the original's is gone.
  const extended = pendingRequest({
    plan: secretPlan({ expiresAt: '2025-02-01T00:00:00.000Z' }),
    state: 'succeeded',
    decision: approved,
    outcome: granted,
    access: {
      durationMs: 60 * 86_400_000,
      expiresAt: '2025-03-16T10:00:00.000Z',
      extendedBy: ['R-EXT00001', 'R-EXT00002'],
      credentialExpiresAt: '2025-04-20T10:00:00.000Z',
    },
  });

  test('after extensions: the last extension’s token and its expiry', () => {
    const request = facts(requestCard(extended, { showActions: false }));
    expect(request.Credential).toBe('ACR token acrbot-r-ext00002');
    expect(request['Credential expires']).toBe('2025-04-20 10:00 UTC');
    const outcome = facts(outcomeCard(extended));
    expect(outcome.Credential).toBe('ACR token acrbot-r-ext00002');
    expect(outcome['Credential expires']).toBe('2025-04-20 10:00 UTC');
  });

  test('a credential that ends before the access does says so (permanent access, capped credential)', () => {
    const permanent = { ...extended, access: { permanent: true } };
    expect(facts(requestCard(permanent, { showActions: false }))['Credential expires']).toBe(
      '2025-02-01 00:00 UTC, before the access ends: nothing renews it, and pulls with the secret stop then',
    );
    // One that outlasts the term says nothing more.
    const outlasting = { ...extended, access: { durationMs: 86_400_000, expiresAt: '2025-01-16T10:00:00.000Z' } };
    expect(facts(outcomeCard(outlasting))['Credential expires']).toBe('2025-02-01 00:00 UTC');
  });

  test('a service principal: the role it gets on the registry is shown (Repository Reader on ABAC registries)', () => {
    const plan = secretPlan({
      credentialKind: 'sp',
      credentialName: 'acrbot-contosoacr-aks-prod-payments',
      role: { id: ROLE_IDS.repositoryReader, name: 'Container Registry Repository Reader' },
    });
    const request = pendingRequest({ plan, state: 'succeeded', decision: approved, outcome: granted });
    expect(facts(requestCard(request, { showActions: false })).Role).toBe(
      `Container Registry Repository Reader (${ROLE_IDS.repositoryReader}) on registry contosoacr`,
    );
    expect(facts(outcomeCard(request)).Role).toBe('Container Registry Repository Reader on contosoacr');
  });
});

describe('the approvers named are those who approved', () => {
  const rule: PolicyRule = {
    id: 'prod',
    match: {},
    approvers: { users: [], groups: [], name: 'platform team' },
    approvalsRequired: 2,
    approverJustification: 'optional',
  };
  // Two people may share a display name; one person's second click does not count twice.
  const namesake = { objectId: '0a000000-0000-4000-8000-00000000ddd4', name: APPROVER.name };
  const quorum = pendingRequest({
    state: 'executing',
    policy: { ruleId: 'prod', policyHash: 'h', approvalsRequired: 3, rule },
    approvals: [
      { by: OUTSIDER, at: '2025-01-15T09:00:00.000Z' },
      { by: OUTSIDER, at: '2025-01-15T09:10:00.000Z' },
      { by: namesake, at: '2025-01-15T09:30:00.000Z' },
      { by: APPROVER, at: AT },
    ],
    decision: approved,
  });
  const all = 'Oscar Outsider, Alex Approver, Alex Approver';

  test('a quorum: every counted approver on the request card, the outcome and the requester’s news', () => {
    expect(texts(requestCard(quorum, { showActions: false }))).toContain(
      `Approved by ${all} at 2025-01-15 10:00 UTC; running now.`,
    );
    expect(facts(outcomeCard({ ...quorum, state: 'succeeded', outcome: granted }))['Approved by']).toBe(
      `${all} at 2025-01-15 10:00 UTC`,
    );
    expect(texts(requesterNewsCard(quorum, { kind: 'approved' }))).toContain(
      `${all} approved your request; acrbot is carrying it out now.`,
    );
  });

  test('a reviewed break-glass request names its reviewer, not its requester as an approver', () => {
    const reviewed = pendingRequest({
      state: 'succeeded',
      outcome: granted,
      decision: { by: REQUESTER, at: AT, approved: true, reason: 'break-glass: prod down' },
      approvals: [{ by: REQUESTER, at: AT }],
      policy: {
        ruleId: 'break-glass',
        policyHash: 'h',
        approvalsRequired: 0,
        breakGlass: true,
        rule,
        review: {
          dueAt: '2025-01-16T10:00:00.000Z',
          outcome: 'accepted',
          by: APPROVER,
          at: '2025-01-15T12:00:00.000Z',
        },
      },
    });
    const shown = texts(requestCard(reviewed, { showActions: true }));
    expect(shown).toContain(
      'Break-glass: ran without approval at 2025-01-15 10:00 UTC; kept by Alex Approver at 2025-01-15 12:00 UTC.',
    );
    expect(shown.join('\n')).not.toContain(`Approved by ${REQUESTER.name}`);
  });
});

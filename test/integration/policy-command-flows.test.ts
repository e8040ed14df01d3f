/**
 * `policy CLUSTER REGISTRY` through Teams when a pair's grants and pull secrets fall under
 * different rules (by flow, credential kind and namespace): the card names each rule with its
 * approvers, and the rules it names are the ones real requests are bound to (G18).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SANDBOX_APPROVER_GROUP_ID, SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import { TempDirs } from '../helpers/temp-dirs';

const POLICY = `version: 1
rules:
  - id: payments-secrets
    match: { flow: secret, namespace: "payments*" }
    approvers: { name: Payments Owners, users: ["${SANDBOX_USERS.secondApprover.objectId}"] }
  - id: sp-secrets
    match: { flow: secret, kind: sp }
    approvers: { name: Identity Team, groups: ["${SANDBOX_APPROVER_GROUP_ID}"] }
    approvalsRequired: 2
  - id: default
    match: {}
    approvers: { name: Platform Approvers, users: ["${SANDBOX_USERS.approver.objectId}"] }
`;

describe('policy CLUSTER REGISTRY: grants and pull secrets', () => {
  let h: Harness;
  const temp = new TempDirs();
  beforeAll(async () => {
    const policy = join(temp.make('acrbot-policy-flows-'), 'policy.yaml');
    writeFileSync(policy, POLICY);
    h = await startHarness({ ACRBOT_POLICY: policy });
  });
  afterAll(async () => {
    try {
      await h?.stop();
    } finally {
      temp.removeAll();
    }
  });

  /** The facts of the policy card for the pair, as "title: value" lines in card order. */
  async function policyFacts(pair: string): Promise<{ text: string; facts: string[] }> {
    const before = h.connector.calls.length;
    await h.say(users.requester, `policy ${pair}`);
    const reply = await h.connector.waitFor(
      (c) => h.connector.calls.indexOf(c) >= before && /Approval policy for/.test(cardText(c.activity)),
      5000,
      'the policy card',
    );
    const card = (reply.activity.attachments as Array<{ content: any }>)[0].content;
    const factSet = card.body.find((b: { type: string }) => b.type === 'FactSet');
    return {
      text: cardText(reply.activity),
      facts: factSet.facts.map((f: { title: string; value: string }) => `${f.title}: ${f.value}`),
    };
  }

  test('names the grant rule and, per kind and namespace, the secret rules with their approvers', async () => {
    const { text, facts } = await policyFacts('aks-dev contosoacr');
    expect(text).toContain('Grants and pull secrets of this pair fall under different rules');
    const headings = facts.filter((f) => /^(Grants|Pull secrets)/.test(f));
    expect(headings).toEqual([
      'Grants: rule default',
      'Pull secrets (ACR token) in namespace payments*: rule payments-secrets',
      'Pull secrets (ACR token) in other namespaces: rule default, as above',
      'Pull secrets (service principal) in namespace payments*: rule payments-secrets, as above',
      'Pull secrets (service principal) in other namespaces: rule sp-secrets',
    ]);
    // Each rule's approvers right under its first heading.
    const after = (heading: string) => facts[facts.findIndex((f) => f.startsWith(heading)) + 1];
    expect(after('Grants:')).toContain('from Platform Approvers');
    expect(after('Pull secrets (ACR token) in namespace')).toContain('from Payments Owners');
    expect(after('Pull secrets (service principal) in other')).toContain(
      '2 approvals from different people from Identity Team',
    );
  });

  test("a rule with no maxDuration shows the deployment's limit as its longest access", async () => {
    const { facts } = await policyFacts('aks-dev contosoacr');
    // ACRBOT_MAX_ACCESS_DURATION's default: 90 days.
    expect(facts).toContain("Longest access: 90 days, the deployment's limit");
  });

  test('the rules the card names are the ones requests are bound to', async () => {
    const inPayments = await h.requestSecret(
      users.requester,
      'aks-dev contosoacr --namespace payments pull for payments-api',
    );
    expect(inPayments.policy?.ruleId).toBe('payments-secrets');
    const sp = await h.requestSecret(
      users.requester,
      'aks-dev contosoacr --namespace web --kind sp pull for the web front end',
    );
    expect(sp.policy?.ruleId).toBe('sp-secrets');
    // Another secret name: a second request for web/acr-auth would wait beside the first (refused).
    const token = await h.requestSecret(
      users.requester,
      'aks-dev contosoacr --namespace web --name acr-web pull for web-api',
    );
    expect(token.policy?.ruleId).toBe('default');
    const grant = await h.requestGrant(users.requester, 'aks-dev contosoacr deploy payments-api');
    expect(grant.policy?.ruleId).toBe('default');
  });
});

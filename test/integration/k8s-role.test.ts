/**
 * The namespace Role in docs/deploy.md grants exactly the Kubernetes verbs the secret flow uses
 * (#11 §3): the flows run against the emulated Entra-only cluster (where that Role is all the bot
 * has), every call the bot makes is mapped to its RBAC resource and verb, and the set must equal
 * the Role's rules. A new call (say, a `list`) fails this until the Role and its table are
 * updated; a verb the Role grants but nothing uses fails it too.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';

const DEPLOY_DOC = path.resolve(__dirname, '..', '..', 'docs', 'deploy.md');

interface RoleRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** `resource:verb` pairs of the Role in docs/deploy.md's YAML block. */
function documentedRole(): string[] {
  const doc = fs.readFileSync(DEPLOY_DOC, 'utf8');
  const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
  const role = blocks
    .flatMap((b) => parseAllDocuments(b).map((d) => d.toJS() as { kind?: string; rules?: RoleRule[] }))
    .filter((d) => d?.kind === 'Role');
  expect(role).toHaveLength(1);
  return role[0].rules!.flatMap((r) => {
    expect(r.apiGroups).toEqual(['']);
    return r.resources.flatMap((res) => r.verbs.map((v) => `${res}:${v}`));
  });
}

/** The RBAC resource and verb of one request to the core/v1 API, as the authorizer sees it. */
function rbacOf(method: string, urlPath: string): string {
  const parts = urlPath.replace(/^\/api\/v1\//, '').split('/');
  // namespaces/{ns} or namespaces/{ns}/{resource}[/{name}]
  const resource = parts.length <= 2 ? 'namespaces' : parts[2];
  const named = parts.length === 2 || parts.length >= 4;
  const verb =
    method === 'GET'
      ? named
        ? 'get'
        : 'list'
      : ({ POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' } as Record<string, string>)[method];
  return `${resource}:${verb}`;
}

describe('the documented namespace Role', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  async function requestSecret(args: string): Promise<string> {
    const before = h.connector.calls.length;
    await h.say(users.requester, `secret ${args}`);
    const plan = await h.connector.waitFor(
      (c) => h.connector.calls.indexOf(c) >= before && c.op !== 'update' && /R-[2-9A-Z]{8}/.test(cardText(c.activity)),
      5000,
      'secret plan card',
    );
    return /R-[2-9A-HJKMNP-TV-Z]{8}/.exec(cardText(plan.activity))![0];
  }

  test('grants exactly the verbs create, rotate and revoke use (with --service-account), nothing more', async () => {
    const cluster = h.app.sandbox!.kubernetes['aks-prod'];
    const args = 'aks-prod contosoacr --namespace payments --service-account default pull for payments-api';
    // Create, then rotate (the same secret again: replaced), then revoke (deleted, unlinked).
    const first = await requestSecret(args);
    await h.click(users.approver, 'approve', { requestId: first });
    expect((await h.settle(first)).outcome?.secret).toMatchObject({ action: 'created' });
    const second = await requestSecret(args);
    await h.click(users.approver, 'approve', { requestId: second });
    expect((await h.settle(second)).outcome?.secret).toMatchObject({ action: 'replaced' });
    await h.click(users.requester, 'revokeConfirm', { requestId: second, reason: 'no longer needed' });
    // The click answers "Revoking" and runs the revocation after the turn, as background work.
    await h.app.services.background.drain();
    expect((await h.app.store.get(second))!.state).toBe('revoked');
    expect(cluster.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();

    const used = new Set(
      cluster.requests
        .filter((r: { user?: string; path: string }) => r.user && r.path.startsWith('/api/v1/namespaces/'))
        .map((r: { method: string; path: string }) => rbacOf(r.method, r.path)),
    );
    expect([...used].sort()).toEqual([...new Set(documentedRole())].sort());
  });
});

/**
 * Who holds an application, over HTTPS against the Graph emulator: its federated identity
 * credentials, its service principal's owners (paged) and the service principal's own passwords
 * and certificates; then the Graph adapter's inspection of them and foreignHolders on the answer.
 */
import type { Agent } from 'node:https';
import { foreignHolders } from '../../src/domain/application-holders';
import { keepAliveAgent } from '../../src/integrations/azure/arm-connection';
import { GraphServicePrincipals } from '../../src/integrations/graph/graph-service-principals';
import { SANDBOX_BOT_OBJECT_ID, SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { httpsJson, type JsonResponse } from '../../src/sandbox/http-util';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';
import { sandboxGraphClient } from '../helpers/sandbox-graph';

const UNKNOWN = '00000000-0000-4000-8000-0000000000ff';
const GITHUB = 'https://token.actions.githubusercontent.com';

let sandbox: Sandbox;
let agent: Agent;
let port: GraphServicePrincipals;
let counter = 0;

beforeAll(async () => {
  sandbox = await startSandbox();
  agent = keepAliveAgent(sandbox.tls.caPem);
  port = new GraphServicePrincipals(sandboxGraphClient(sandbox, agent), []);
});
afterAll(async () => {
  agent.destroy();
  await sandbox.stop();
});
beforeEach(() => sandbox.graph.clearRequests());

function graph(path: string): Promise<JsonResponse> {
  return httpsJson(`${sandbox.graphUrl}/v1.0${path}`, { ca: sandbox.tls.caPem, token: sandbox.tokens.graph });
}

/** An application and service principal acrbot creates, as the secret runner does. */
async function ownApplication(): Promise<{ id: string; appId: string; spId: string }> {
  const app = await port.upsertApplication(`acrbot-holders-${++counter}`, 'acrbot holders');
  const sp = await port.createServicePrincipal(app.appId);
  return { id: app.id, appId: app.appId, spId: sp.id };
}

const own = { servicePrincipalId: SANDBOX_BOT_OBJECT_ID, passwordKeyIds: [] };

describe('GET /applications/{id}/federatedIdentityCredentials', () => {
  it('lists none on a new application, and a planted one with issuer, subject and audiences', async () => {
    const app = await ownApplication();
    const empty = await graph(`/applications/${app.id}/federatedIdentityCredentials`);
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({
      '@odata.context': expect.stringMatching(
        new RegExp(`/v1\\.0/\\$metadata#applications\\('${app.id}'\\)/federatedIdentityCredentials$`),
      ),
      value: [],
    });

    const fic = sandbox.graph.holdings.plantFederatedCredential(app.id, {
      name: 'ci',
      issuer: GITHUB,
      subject: 'repo:contoso/app:ref:refs/heads/main',
    });
    const listed = await graph(`/applications/${app.id}/federatedIdentityCredentials`);
    expect(listed.body.value).toEqual([
      {
        id: fic.id,
        name: 'ci',
        issuer: GITHUB,
        subject: 'repo:contoso/app:ref:refs/heads/main',
        description: null,
        audiences: ['api://AzureADTokenExchange'],
      },
    ]);
    // The appId key form lists the same.
    const byAppId = await graph(`/applications(appId='${app.appId}')/federatedIdentityCredentials`);
    expect(byAppId.body.value.map((f: { id: string }) => f.id)).toEqual([fic.id]);
    expect(sandbox.graph.requests.map((r) => r.operation)).toContain('applications.federatedIdentityCredentials');
  });

  it('takes $filter (eq on subject) and $select', async () => {
    const app = await ownApplication();
    sandbox.graph.holdings.plantFederatedCredential(app.id, { issuer: GITHUB, subject: 'a' });
    const b = sandbox.graph.holdings.plantFederatedCredential(app.id, { issuer: GITHUB, subject: 'b' });
    const res = await graph(
      `/applications/${app.id}/federatedIdentityCredentials?$filter=${encodeURIComponent("subject eq 'b'")}&$select=id,issuer`,
    );
    expect(res.body.value).toEqual([{ id: b.id, issuer: GITHUB }]);
  });

  it("answers 404 Request_ResourceNotFound, in Graph's envelope, for an unknown application", async () => {
    const res = await graph(`/applications/${UNKNOWN}/federatedIdentityCredentials`);
    expect(res.status).toBe(404);
    expect(res.body.error).toEqual({
      code: 'Request_ResourceNotFound',
      message: `Resource '${UNKNOWN}' does not exist or one of its queried reference-property objects are not present.`,
      innerError: expect.objectContaining({ 'request-id': res.headers['request-id'] }),
    });
    expect((await graph(`/applications/not-a-guid/federatedIdentityCredentials`)).status).toBe(400);
  });

  it('is gone with its application (a new one under the same name starts with none)', async () => {
    const app = await ownApplication();
    sandbox.graph.holdings.plantFederatedCredential(app.id, { issuer: GITHUB, subject: 'x' });
    await port.deleteApplication(app.id);
    expect((await graph(`/applications/${app.id}/federatedIdentityCredentials`)).status).toBe(404);
  });
});

describe('GET /servicePrincipals/{id}/owners', () => {
  it('lists the caller as owner of the service principal it created', async () => {
    const app = await ownApplication();
    const res = await graph(`/servicePrincipals/${app.spId}/owners`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      '@odata.context': expect.stringMatching(/\/v1\.0\/\$metadata#directoryObjects$/),
      value: [{ '@odata.type': '#microsoft.graph.servicePrincipal', id: SANDBOX_BOT_OBJECT_ID }],
    });
    const byAppId = await graph(`/servicePrincipals(appId='${app.appId}')/owners`);
    expect(byAppId.body.value).toEqual(res.body.value);
    expect(sandbox.graph.requests.map((r) => r.operation)).toContain('servicePrincipals.owners');
  });

  it('pages with $top and @odata.nextLink', async () => {
    const app = await ownApplication();
    sandbox.graph.holdings.addServicePrincipalOwner(app.spId, SANDBOX_USERS.approver.objectId);
    const first = await graph(`/servicePrincipals/${app.spId}/owners?$top=1`);
    expect(first.body.value).toHaveLength(1);
    const next = first.body['@odata.nextLink'] as string;
    expect(next.startsWith(`${sandbox.graphUrl}/v1.0/servicePrincipals/${app.spId}/owners?`)).toBe(true);
    const second = await graph(next.slice(`${sandbox.graphUrl}/v1.0`.length));
    expect(second.body['@odata.nextLink']).toBeUndefined();
    expect([...first.body.value, ...second.body.value]).toEqual([
      { '@odata.type': '#microsoft.graph.servicePrincipal', id: SANDBOX_BOT_OBJECT_ID },
      { '@odata.type': '#microsoft.graph.user', id: SANDBOX_USERS.approver.objectId.toLowerCase() },
    ]);
  });

  it('answers 404 for an unknown service principal, 400 for an id that is no GUID', async () => {
    const res = await graph(`/servicePrincipals/${UNKNOWN}/owners`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('Request_ResourceNotFound');
    expect(res.body.error.innerError['request-id']).toBe(res.headers['request-id']);
    expect((await graph(`/servicePrincipals(appId='${UNKNOWN}')/owners`)).status).toBe(404);
    expect((await graph(`/servicePrincipals/nope/owners`)).status).toBe(400);
  });
});

describe("a service principal's own credentials", () => {
  it('lists planted passwords (no value) and certificates in passwordCredentials / keyCredentials', async () => {
    const app = await ownApplication();
    const none = await graph(`/servicePrincipals/${app.spId}?$select=passwordCredentials,keyCredentials`);
    expect(none.body).toMatchObject({ passwordCredentials: [], keyCredentials: [] });

    const password = sandbox.graph.holdings.plantServicePrincipalPassword(app.spId, 'backdoor');
    const cert = sandbox.graph.holdings.plantServicePrincipalCertificate(app.spId);
    const res = await graph(`/servicePrincipals/${app.spId}?$select=passwordCredentials,keyCredentials`);
    expect(res.body.passwordCredentials).toEqual([
      expect.objectContaining({ keyId: password.keyId, displayName: 'backdoor', secretText: null }),
    ]);
    expect(res.body.keyCredentials).toEqual([
      expect.objectContaining({ keyId: cert.keyId, key: null, type: 'AsymmetricX509Cert', usage: 'Verify' }),
    ]);
    // The application's own lists are not touched.
    const appRes = await graph(`/applications/${app.id}?$select=passwordCredentials,keyCredentials`);
    expect(appRes.body).toMatchObject({ passwordCredentials: [], keyCredentials: [] });
  });
});

describe('GraphServicePrincipals.inspectApplication with the service principal', () => {
  it('finds no foreign holder on an application acrbot just created', async () => {
    const app = await ownApplication();
    const holdings = await port.inspectApplication(app.id, app.spId);
    expect(holdings).toMatchObject({
      owners: [{ id: SANDBOX_BOT_OBJECT_ID, type: 'servicePrincipal' }],
      federatedCredentials: [],
      servicePrincipal: {
        id: app.spId,
        owners: [{ id: SANDBOX_BOT_OBJECT_ID, type: 'servicePrincipal' }],
        passwordKeyIds: [],
        certificateKeyIds: [],
      },
    });
    expect(foreignHolders(holdings, own)).toEqual([]);
  });

  it('returns a planted federated credential by issuer, subject and name only', async () => {
    const app = await ownApplication();
    const fic = sandbox.graph.holdings.plantFederatedCredential(app.id, {
      name: 'deploy',
      issuer: GITHUB,
      subject: 'repo:contoso/app:environment:prod',
      description: 'not read',
    });
    const holdings = await port.inspectApplication(app.id, app.spId);
    expect(holdings.federatedCredentials).toEqual([
      { id: fic.id, name: 'deploy', issuer: GITHUB, subject: 'repo:contoso/app:environment:prod' },
    ]);
    expect(foreignHolders(holdings, own)).toEqual([
      { kind: 'federatedCredential', id: fic.id, issuer: GITHUB, subject: 'repo:contoso/app:environment:prod' },
    ]);
  });

  it("returns the service principal's own passwords, certificates and owners", async () => {
    const app = await ownApplication();
    const password = sandbox.graph.holdings.plantServicePrincipalPassword(app.spId);
    const cert = sandbox.graph.holdings.plantServicePrincipalCertificate(app.spId);
    sandbox.graph.holdings.addServicePrincipalOwner(app.spId, SANDBOX_USERS.approver.objectId);
    const holdings = await port.inspectApplication(app.id, app.spId);
    expect(holdings.servicePrincipal).toEqual({
      id: app.spId,
      owners: [
        { id: SANDBOX_BOT_OBJECT_ID, type: 'servicePrincipal' },
        { id: SANDBOX_USERS.approver.objectId.toLowerCase(), type: 'user' },
      ],
      passwordKeyIds: [password.keyId],
      certificateKeyIds: [cert.keyId],
    });
    expect(foreignHolders(holdings, own).map((h) => h.kind)).toEqual([
      'servicePrincipalOwner',
      'servicePrincipalPassword',
      'servicePrincipalCertificate',
    ]);
  });

  it("reads every page of the service principal's owners", async () => {
    const app = await ownApplication();
    // Graph's default page is 100: the foreign owner is on the second page.
    for (let i = 0; i < 100; i++)
      sandbox.graph.holdings.addServicePrincipalOwner(
        app.spId,
        SANDBOX_BOT_OBJECT_ID.replace(/..$/, `${i}`.padStart(2, '0')),
      );
    const holdings = await port.inspectApplication(app.id, app.spId);
    expect(holdings.servicePrincipal!.owners).toHaveLength(101);
    expect(sandbox.graph.requests.filter((r) => r.operation === 'servicePrincipals.owners')).toHaveLength(2);
  });

  it('reads a planted application certificate into certificateKeyIds', async () => {
    const app = await ownApplication();
    const cert = sandbox.graph.holdings.plantApplicationCertificate(app.id);
    const holdings = await port.inspectApplication(app.id, app.spId);
    expect(holdings.certificateKeyIds).toEqual([cert.keyId]);
  });

  it('fails as an application read when the service principal is unknown (nothing passes unread)', async () => {
    const app = await ownApplication();
    await expect(port.inspectApplication(app.id, UNKNOWN)).rejects.toMatchObject({ statusCode: 404 });
  });

  it('reads no service principal when none is named (removing earlier passwords)', async () => {
    const app = await ownApplication();
    const holdings = await port.inspectApplication(app.id);
    expect(holdings.servicePrincipal).toBeUndefined();
    expect(sandbox.graph.requests.map((r) => r.operation)).not.toContain('servicePrincipals.owners');
  });
});

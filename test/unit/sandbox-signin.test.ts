/**
 * The sandbox sign-in page asks the sandbox issuer for a token over HTTPS. An answer that is not
 * JSON (a proxy's HTML page, a wrong endpoint) must refuse the sign-in with a clear error, not
 * throw inside the response's `end` handler, where nothing catches it and the process ends.
 */
import type { ServerResponse } from 'node:http';
import { SandboxSignIn } from '../../src/tab/sandbox-signin';
import { type HttpsEndpoint, startHttpsServer } from '../../src/sandbox/http-util';
import { createSandboxTls } from '../../src/sandbox/tls';

describe('sandbox sign-in: the issuer answers something else than JSON', () => {
  const tls = createSandboxTls();
  let issuer: HttpsEndpoint;
  let answer: (res: ServerResponse) => void;

  beforeAll(async () => {
    issuer = await startHttpsServer({
      host: '127.0.0.1',
      port: 0,
      certPem: tls.certPem,
      keyPem: tls.keyPem,
      listener: (req, res) => {
        req.resume();
        req.on('end', () => answer(res));
      },
    });
  });
  afterAll(() => issuer.close());

  const signIn = () =>
    new SandboxSignIn({
      tokenEndpoint: `${issuer.url}/tenant/oauth2/v2.0/token`,
      caPem: tls.caPem,
      clientId: 'sandbox-page',
      resource: 'api://127.0.0.1/tab-app',
      users: [{ key: 'requester', name: 'Riley' }],
    });

  test.each([200, 502])('an HTML page with status %i: the sign-in is refused, saying so', async (status) => {
    answer = (res) => {
      res.writeHead(status, { 'Content-Type': 'text/html' });
      res.end('<html><body>Bad gateway</body></html>');
    };
    const refused = await signIn()
      .page({ user: 'requester' })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toBe(`sandbox issuer answered ${status} with no JSON (text/html)`);
    expect((refused as Error).cause).toBeInstanceOf(SyntaxError);
  });

  test('a JSON token answer still signs in (the page carries the token)', async () => {
    answer = (res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ access_token: 'header.payload.signature' }));
    };
    const page = await signIn().page({ user: 'requester' });
    expect(page.status).toBe(200);
    expect(page.html).toContain('<meta name="acrbot-token" content="header.payload.signature">');
  });
});

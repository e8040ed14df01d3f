/**
 * The pull check's reading of ACR's token endpoint (acr-pull-probe.ts): the request it sends, and
 * what each answer means; a failure to send is `unreachable` and logs no part of the password.
 */
import type { HttpClient, PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';
import { createHttpHeaders } from '@azure/core-rest-pipeline';
import { SecretValue } from '../../src/domain/secret-value';
import { AcrPullProbe, answerOf, PULL_CHECK_REPOSITORY } from '../../src/integrations/azure/acr-pull-probe';
import { LogCapture } from '../helpers/log-capture';

const PASSWORD = 'abc8Q~not-a-real-secret-0123456789abcdef';
const credential = { username: '11111111-2222-4333-8444-555555555555', password: new SecretValue(PASSWORD) };

/** A registry token answer granting `actions` on `name`. */
function tokenAnswer(actions: string[], name = PULL_CHECK_REPOSITORY): string {
  const claims = Buffer.from(JSON.stringify({ access: [{ type: 'repository', name, actions }] })).toString('base64url');
  return JSON.stringify({ access_token: `eyJhbGciOiJSUzI1NiJ9.${claims}.sig` });
}

/** An HTTP client answering `status` and `body`, keeping the request it was sent. */
function answering(status: number, body: string): HttpClient & { sent?: PipelineRequest } {
  const client: HttpClient & { sent?: PipelineRequest } = {
    sendRequest: async (request): Promise<PipelineResponse> => {
      client.sent = request;
      return { status, headers: createHttpHeaders(), request, bodyAsText: body };
    },
  };
  return client;
}

test('asks the token endpoint of the login server for pull on the check repository, with the credential as Basic', async () => {
  const http = answering(200, tokenAnswer(['pull']));
  expect(await new AcrPullProbe({ http }).canPull({ loginServer: 'contosoacr.azurecr.io' }, credential)).toBe('pulls');
  expect(http.sent!.method).toBe('GET');
  expect(http.sent!.url).toBe(
    'https://contosoacr.azurecr.io/oauth2/token?service=contosoacr.azurecr.io&scope=repository%3Aacrbot-pull-check%3Apull',
  );
  expect(http.sent!.headers.get('authorization')).toBe(
    `Basic ${Buffer.from(`${credential.username}:${PASSWORD}`).toString('base64')}`,
  );
});

test('the sandbox maps every registry to its emulator and keeps the login server as the service', async () => {
  const http = answering(200, tokenAnswer(['pull']));
  await new AcrPullProbe({ http, baseUrl: () => 'https://127.0.0.1:4443' }).canPull(
    { loginServer: 'contosoacr.azurecr.io' },
    credential,
  );
  expect(http.sent!.url).toMatch(/^https:\/\/127\.0\.0\.1:4443\/oauth2\/token\?service=contosoacr\.azurecr\.io&/);
});

test.each([
  ['a token granting pull', 200, tokenAnswer(['pull']), 'pulls'],
  ['a token granting everything', 200, tokenAnswer(['*']), 'pulls'],
  ['a token granting nothing (the role not applied yet)', 200, tokenAnswer([]), 'denied'],
  ['a token granting pull on another repository only', 200, tokenAnswer(['pull'], 'other'), 'denied'],
  ['a 200 without a readable token', 200, '<html>', 'unreachable'],
  ['a 401 (the credential not known yet)', 401, '{"errors":[{"code":"UNAUTHORIZED"}]}', 'unauthorized'],
  [
    "the network rules' 403",
    403,
    `{"errors":[{"code":"DENIED","message":"client with IP '10.0.0.4' is not allowed access. Refer https://aka.ms/acr/firewall to grant access."}]}`,
    'unreachable',
  ],
  [
    'another 403',
    403,
    '{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}',
    'denied',
  ],
  ['a 503', 503, '', 'unreachable'],
])('%s', (_what, status, body, expected) => {
  expect(answerOf(status, body)).toBe(expected);
});

test('a request that fails to send is unreachable, logged by its code without the password', async () => {
  const logs = new LogCapture();
  const http: HttpClient = {
    sendRequest: async (request) => {
      throw Object.assign(new Error(`connect ETIMEDOUT ${request.headers.get('authorization')}`), {
        code: 'ETIMEDOUT',
        request,
      });
    },
  };
  const probe = new AcrPullProbe({ http, log: logs.logger() });
  expect(await probe.canPull({ loginServer: 'contosoacr.azurecr.io' }, credential)).toBe('unreachable');
  expect(logs.entries()).toEqual([
    expect.objectContaining({ msg: 'the registry did not answer the pull check', code: 'ETIMEDOUT' }),
  ]);
  const basic = Buffer.from(`${credential.username}:${PASSWORD}`).toString('base64');
  expect(logs.lines.join('')).not.toContain(PASSWORD);
  expect(logs.lines.join('')).not.toContain(basic);
});

/**
 * G12 for secrets inside text: each pattern a secret travels in (connection strings, SAS query
 * strings, form bodies, headers, JWTs, docker configs, kubeconfigs, URL user information, PEM
 * keys) loses its secret and keeps its name and surroundings; text that only names a secret,
 * resource ids, request ids and GUIDs are left as they are; hostile input of any length returns.
 */
import { REDACTION, scrubSecrets } from '../../src/domain/secret-text';

const SECRET = 'S3ntinel+scrub/9c1f==';
const JWT = 'eyJhbGciOiJSUzI1NiIsImtpZCI6IngifQ.eyJzdWIiOiIwMDAwIiwiYXVkIjoiYWNyIn0.c2lnbmF0dXJlLXNlbnRpbmVs';

/** [what, text with the secret, the text expected back, the secret that must be gone] */
const CASES: Array<[string, string, string, string]> = [
  [
    'storage connection string',
    `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${SECRET};EndpointSuffix=core.windows.net`,
    `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${REDACTION};EndpointSuffix=core.windows.net`,
    SECRET,
  ],
  [
    'Service Bus SharedAccessKey',
    `Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=RootManage;SharedAccessKey=${SECRET}`,
    `Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=RootManage;SharedAccessKey=${REDACTION}`,
    SECRET,
  ],
  [
    'SAS sig in a URL',
    'PUT https://acct.blob.core.windows.net/c/b?sv=2022-11-02&se=2030-01-01&sig=AbC%2Bsentinel%3D&sp=r failed',
    `PUT https://acct.blob.core.windows.net/c/b?sv=2022-11-02&se=2030-01-01&sig=${REDACTION}&sp=r failed`,
    'AbC%2Bsentinel',
  ],
  [
    'client_secret in a form body',
    'body grant_type=client_credentials&client_id=0000&client_secret=s3cr~et.sentinel_x&scope=https://x/.default',
    `body grant_type=client_credentials&client_id=0000&client_secret=${REDACTION}&scope=https://x/.default`,
    's3cr~et.sentinel_x',
  ],
  [
    'password=',
    'login refused: password=hunter2sentinel user=bob',
    `login refused: password=${REDACTION} user=bob`,
    'hunter2',
  ],
  [
    'Authorization: Bearer',
    `request headers: Authorization: Bearer ${JWT}, Accept: */*`,
    `request headers: Authorization: Bearer ${REDACTION}, Accept: */*`,
    'c2lnbmF0dXJl',
  ],
  [
    'Authorization with another scheme',
    'Authorization: SharedKey acct:c2lnbmF0dXJlc2VudGluZWw=',
    `Authorization: SharedKey ${REDACTION}`,
    'c2lnbmF0dXJlc2VudGluZWw',
  ],
  ['a bare JWT', `token ${JWT} was rejected`, `token ${REDACTION} was rejected`, 'c2lnbmF0dXJl'],
  [
    'a bare opaque bearer token',
    'sent Bearer ghp_0123sentinel456789abcdef to the API',
    `sent Bearer ${REDACTION} to the API`,
    'ghp_0123sentinel',
  ],
  [
    "a docker config's auth",
    `{"auths":{"r.azurecr.io":{"username":"00000000-0000-0000-0000-000000000000","auth":"${SECRET}"}}}`,
    `{"auths":{"r.azurecr.io":{"username":"00000000-0000-0000-0000-000000000000","auth":"${REDACTION}"}}}`,
    SECRET,
  ],
  [
    'a docker config escaped inside a string',
    `body: "{\\"auths\\":{\\"r\\":{\\"auth\\":\\"${SECRET}\\"}}}"`,
    `body: "{\\"auths\\":{\\"r\\":{\\"auth\\":\\"${REDACTION}\\"}}}"`,
    SECRET,
  ],
  [
    'a JSON value with an escaped quote',
    '{"password":"a\\"sentinel\\"b","user":"bob"}',
    `{"password":"${REDACTION}","user":"bob"}`,
    'sentinel',
  ],
  [
    'inspect output',
    "{ client_secret: 'x~sentinel', clientId: '0000' }",
    `{ client_secret: '${REDACTION}', clientId: '0000' }`,
    'sentinel',
  ],
  [
    'a kubeconfig',
    'users:\n- name: aks\n  user:\n    client-certificate-data: Q0VSVA==\n    client-key-data: S0VZsentinel==\n    token: abc.sentinel\n',
    `users:\n- name: aks\n  user:\n    client-certificate-data: Q0VSVA==\n    client-key-data: ${REDACTION}\n    token: ${REDACTION}\n`,
    'sentinel',
  ],
  [
    'client-key-data inside a line',
    'cannot parse user aks: client-key-data: S0VZsentinel== is not PEM',
    `cannot parse user aks: client-key-data: ${REDACTION} is not PEM`,
    'sentinel',
  ],
  [
    'URL user information',
    'clone https://user:p%40sentinel@github.com/org/repo.git failed',
    `clone https://${REDACTION}@github.com/org/repo.git failed`,
    'sentinel',
  ],
  [
    'a PEM private key',
    '-----BEGIN RSA PRIVATE KEY-----\nMIIEsentinel\nAQAB\n-----END RSA PRIVATE KEY-----\nafter',
    `-----BEGIN RSA PRIVATE KEY-----${REDACTION}-----END RSA PRIVATE KEY-----\nafter`,
    'sentinel',
  ],
  [
    "ACR generateCredentials' passwords",
    `{"username":"acrbot-R-1","passwords":[{"name":"password1","value":"${SECRET}"}]}`,
    `{"username":"acrbot-R-1","passwords":[{"name":"password1","value":"${REDACTION}"}]}`,
    SECRET,
  ],
  [
    "ACR's passwords escaped inside a string",
    `body: "{\\"passwords\\":[{\\"name\\":\\"password1\\",\\"value\\":\\"${SECRET}\\"}]}"`,
    `body: "{\\"passwords\\":[{\\"name\\":\\"password1\\",\\"value\\":\\"${REDACTION}\\"}]}"`,
    SECRET,
  ],
  [
    "AKS listClusterUserCredential's kubeconfigs",
    '{"kubeconfigs":[{"name":"clusterUser","value":"YXBpVmVyc2lvbjogdjEKsentinel"}]}',
    `{"kubeconfigs":[{"name":"clusterUser","value":"${REDACTION}"}]}`,
    'YXBpVmVyc2lvbjog',
  ],
  [
    'an encrypted PEM private key with its header lines',
    '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,A1B2C3\n\nMIIEsentinel\n-----END RSA PRIVATE KEY-----',
    `-----BEGIN RSA PRIVATE KEY-----${REDACTION}-----END RSA PRIVATE KEY-----`,
    'sentinel',
  ],
  [
    'a Cookie header',
    'request headers: Cookie: session=c2Vzc2lvbi1zZW50aW5lbA; ARRAffinity=sentinel2\nHost: x',
    `request headers: Cookie: ${REDACTION}\nHost: x`,
    'sentinel',
  ],
  [
    'a Set-Cookie header',
    'set-cookie: ARRAffinity=sentinel; Path=/; HttpOnly',
    `set-cookie: ${REDACTION}; HttpOnly`,
    'sentinel',
  ],
  [
    'a Map of headers as inspect prints it',
    "Map(2) { 'authorization' => 'Basic dTpzZW50aW5lbA==', 'accept' => 'application/json' }",
    `Map(2) { 'authorization' => '${REDACTION}', 'accept' => 'application/json' }`,
    'dTpzZW50aW5lbA',
  ],
  [
    'a SAS URL-encoded inside another URL',
    'x-ms-copy-source: https://a/c?u=https%3A%2F%2Fb%2Fc%3Fsv%3D2022%26sig%3DAbC%252Bsentinel%253D%26sp%3Dr',
    `x-ms-copy-source: https://a/c?u=https%3A%2F%2Fb%2Fc%3Fsv%3D2022%26sig%3D${REDACTION}%26sp%3Dr`,
    'sentinel',
  ],
  [
    'docker login -p',
    'docker login r.azurecr.io -u acrbot-R-1 -p Qw3rTysentinel= failed',
    `docker login r.azurecr.io -u acrbot-R-1 -p ${REDACTION} failed`,
    'sentinel',
  ],
  [
    'kubectl --docker-password=',
    'kubectl create secret docker-registry acr-pull --docker-username=u --docker-password=Qw3rTysentinel',
    `kubectl create secret docker-registry acr-pull --docker-username=u --docker-password=${REDACTION}`,
    'sentinel',
  ],
  [
    '--password with a quoted value',
    'helm registry login r.azurecr.io --username u --password "Qw3r sentinel"',
    `helm registry login r.azurecr.io --username u --password ${REDACTION}`,
    'sentinel',
  ],
];

describe.each(CASES)('%s', (_what, text, expected, secret) => {
  test('loses its secret and keeps its name and context', () => {
    expect(scrubSecrets(text)).toBe(expected);
    expect(scrubSecrets(text)).not.toContain(secret);
  });

  test('is unchanged when scrubbed again', () => {
    expect(scrubSecrets(expected)).toBe(expected);
  });
});

test.each([
  'the password was wrong; the token expired; client_secret is invalid',
  'validation failed\npassword: must be at least 8 characters',
  'Bearer authentication failed; expected Bearer authorization-header-value',
  'AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value. Trace ID: 9b2c1a4e-0d3f-4a5b-8c7d-1e2f3a4b5c6d',
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/r/tokens/acrbot-1',
  'x-ms-request-id: 4f1c2d3e-5a6b-7c8d-9e0f-a1b2c3d4e5f6, x-ms-correlation-request-id=4f1c2d3e-5a6b-7c8d-9e0f-a1b2c3d4e5f6',
  'secrets "acr-pull" is forbidden: User "system:serviceaccount:acrbot:acrbot" cannot create resource "secrets" in namespace "team-a"',
  'https://r.azurecr.io/oauth2/token?service=r.azurecr.io&scope=repository:team/app:pull',
  'The token acrbot-abc already exists in registry r (code TokenNameConflict); see https://aka.ms/acr/tokens',
  'mailto:ops@example.com',
  // An ARM or Graph list is no string, and a bare `value:` is a Kubernetes message or prose.
  '{"value":[{"id":"/subscriptions/0/resourceGroups/rg","name":"rg"}],"nextLink":null}',
  'Secret "Acr_Pull" is invalid: metadata.name: Invalid value: "Acr_Pull": a lowercase RFC 1123 subdomain',
  "{ name: 'commonName', value: 'acrbot sandbox CA' }",
  // The Table service's OData error says what went wrong in a "value", plain or escaped.
  '{"odata.error":{"code":"OperationTimedOut","message":{"lang":"en-US","value":"Operation could not be completed."}}}',
  'body: "{\\"odata.error\\":{\\"code\\":\\"X\\",\\"message\\":{\\"value\\":\\"The table does not exist.\\"}}}"',
  'echo $PW | docker login r.azurecr.io -u u --password-stdin',
  'mkdir -p /var/lib/acrbot && helm upgrade -p x',
  'cookie: consent banner was not shown',
  '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
])('ordinary text is left alone: %s', (text) => {
  expect(scrubSecrets(text)).toBe(text);
});

test.each([
  ['a run of dotted words', 'a.'.repeat(100_000)],
  ['JWT-like starts', 'eyJ-'.repeat(50_000)],
  ['URL schemes without user information', 'http://'.repeat(30_000)],
  ['names with no value', 'password password: token= sig='.repeat(10_000)],
  ['quotes and escapes', '"auth":"\\'.repeat(30_000)],
  ['unterminated PEM headers', '-----BEGIN PRIVATE KEY-----'.repeat(10_000)],
  ['Bearer with spaces', `Bearer ${' '.repeat(100_000)}x`],
  ['encoded SAS starts', 'sig%3D%'.repeat(30_000)],
  ['cookie pairs without end', `Cookie: ${'a=b;'.repeat(30_000)}`],
  ['login then -p options', `login ${' -p'.repeat(50_000)}`],
  ['PEM body of dashes', `-----BEGIN PRIVATE KEY-----${'----'.repeat(50_000)}`],
])('hostile input returns: %s', (_what, text) => {
  // With every rule's cheap precondition met, so each pattern runs over the whole text.
  expect(typeof scrubSecrets(`${text} =:"'\n-----BEGIN eyJ Bearer authorization key://`)).toBe('string');
});

/**
 * A Tables store that cannot be opened at start says why in one sentence an operator can act
 * on (src/integrations/store/tables-open-problem.ts): the status and the service's error code,
 * then the likely fix — the role the app's identity needs for a 403 (role assignments take
 * minutes to apply after a first deployment), the account URL for a 404 or a host that does not
 * resolve. Errors shaped as the SDK throws them: a RestError whose XML body the SDK did not parse.
 */
import { createHttpHeaders, createPipelineRequest, RestError } from '@azure/core-rest-pipeline';
import { AggregateAuthenticationError, AuthenticationError, CredentialUnavailableError } from '@azure/identity';
import type { TablesConnection } from '../../src/integrations/store/tables-client';
import { tableOpenProblem } from '../../src/integrations/store/tables-open-problem';

const ENDPOINT = 'https://acrbotstore.table.core.windows.net';
const identity: TablesConnection = { kind: 'identity', endpoint: ENDPOINT };
const connectionString: TablesConnection = {
  kind: 'connectionString',
  value: 'AccountName=acrbotstore;AccountKey=c2VjcmV0LWtleQ==;TableEndpoint=https://acrbotstore.table.core.windows.net',
};

/** A RestError as the Tables SDK throws it for an XML error answer (its `code` left unset). */
function serviceError(status: number, code: string, header: boolean): RestError {
  const request = createPipelineRequest({ url: `${ENDPOINT}/Tables`, method: 'POST' });
  const bodyAsText = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>This request is not authorized to perform this operation using this permission.\nRequestId:0f1e</Message></Error>`;
  const headers = createHttpHeaders(header ? { 'x-ms-error-code': code } : {});
  return new RestError(bodyAsText, { statusCode: status, request, response: { status, headers, request, bodyAsText } });
}

describe('the start-up sentence for a table that cannot be created', () => {
  test('403 with the managed identity: the status, the code, the role to assign and that it takes minutes', () => {
    for (const header of [true, false])
      expect(
        tableOpenProblem(
          serviceError(403, 'AuthorizationPermissionMismatch', header),
          'acrbotrequests',
          identity,
          ENDPOINT,
        ),
      ).toBe(
        `cannot create table acrbotrequests at ${ENDPOINT}: the Table service answered 403 AuthorizationPermissionMismatch: ` +
          'the app\'s identity needs the "Storage Table Data Contributor" role on the storage account; a new role assignment can take several minutes to apply, then restart acrbot',
      );
  });

  test('403 with a connection string: the key or SAS, never the key itself', () => {
    const sentence = tableOpenProblem(
      serviceError(403, 'AuthenticationFailed', true),
      'acrbotaudit',
      connectionString,
      ENDPOINT,
    );
    expect(sentence).toBe(
      `cannot create table acrbotaudit at ${ENDPOINT}: the Table service answered 403 AuthenticationFailed: ` +
        'check the AccountKey or SharedAccessSignature in the ACRBOT_STORAGE connection string (a SAS must allow the table service and creating tables)',
    );
    expect(sentence).not.toContain('c2VjcmV0LWtleQ');
  });

  test('404, or a host that does not resolve: check the account URL', () => {
    expect(tableOpenProblem(serviceError(404, 'ResourceNotFound', true), 'acrbotleases', identity, ENDPOINT)).toBe(
      `cannot create table acrbotleases at ${ENDPOINT}: the Table service answered 404 ResourceNotFound: ` +
        'check the account URL in ACRBOT_STORAGE (tables:https://<account>.table.core.windows.net)',
    );
    // A network failure: the SDK's RestError without a status, the system error as its cause.
    const dns = Object.assign(new Error('getaddrinfo ENOTFOUND acrbotstor.table.core.windows.net'), {
      code: 'ENOTFOUND',
    });
    const wrapped = new Error('request failed', { cause: dns });
    expect(tableOpenProblem(wrapped, 'acrbotleases', identity, ENDPOINT)).toBe(
      `cannot create table acrbotleases at ${ENDPOINT}: the request failed (ENOTFOUND): ` +
        'check the account URL in ACRBOT_STORAGE (tables:https://<account>.table.core.windows.net)',
    );
  });

  test('an answer with no likely fix: the status and code alone', () => {
    expect(tableOpenProblem(serviceError(500, 'InternalError', true), 'acrbotpause', identity, ENDPOINT)).toBe(
      `cannot create table acrbotpause at ${ENDPOINT}: the Table service answered 500 InternalError`,
    );
  });

  test('a managed identity that cannot get a token is named, with what AZURE_CLIENT_ID must be, not a Table service answer', () => {
    const sentence = (table: string) =>
      `cannot create table ${table} at ${ENDPOINT}: the app's managed identity could not get a token for it (%s): ` +
      "AZURE_CLIENT_ID must be the client id of a user-assigned identity attached to the app (App Service: Identity, User assigned), not the principal's object id; outside Azure, sign in with az login";
    // DefaultAzureCredential: no credential of its chain signed in (IMDS: "Unable to load the proper Managed Identity").
    const chain = new AggregateAuthenticationError(
      [new CredentialUnavailableError('ManagedIdentityCredential: Unable to load the proper Managed Identity.')],
      'ChainedTokenCredential authentication failed.',
    );
    expect(tableOpenProblem(chain, 'acrbotrequests', identity, ENDPOINT)).toBe(
      sentence('acrbotrequests').replace('%s', 'AggregateAuthenticationError'),
    );
    // The token endpoint's 400 is not the Table service's: no "answered 400".
    const refused = new AuthenticationError(400, { error: 'invalid_request', error_description: 'Identity not found' });
    expect(tableOpenProblem(refused, 'acrbotaudit', identity, ENDPOINT)).toBe(
      sentence('acrbotaudit').replace('%s', 'AuthenticationError'),
    );
    // Found down the cause chain too (a pipeline that wrapped it).
    const wrapped = new Error('request failed', { cause: new CredentialUnavailableError('no identity endpoint') });
    expect(tableOpenProblem(wrapped, 'acrbotleases', identity, ENDPOINT)).toBe(
      sentence('acrbotleases').replace('%s', 'CredentialUnavailableError'),
    );
  });
});

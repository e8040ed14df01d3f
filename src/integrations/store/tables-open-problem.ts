/**
 * Why a table could not be created at start, in one sentence an operator can act on: what the
 * Table service (or the network) answered, and the likely fix. The usual causes right after a
 * deployment are a role assignment that has not applied yet (403), a wrong account URL (no such
 * host, 404) and a managed identity that cannot get a token (no request sent: an AZURE_CLIENT_ID
 * not attached to the app); "cannot create table acrbotrequests" alone sent the operator to the
 * logged cause's XML or token chain. Never names the key: only the connection's kind and the
 * endpoint (no credentials).
 */
import { causesOf } from '../../domain/error-causes';
import type { TablesConnection } from './tables-client';

/** The sentence for `err`, a failed create of table `table` at `endpoint` (safe to log). */
export function tableOpenProblem(err: unknown, table: string, connection: TablesConnection, endpoint: string): string {
  // First: @azure/identity's AuthenticationError carries the token endpoint's status, which is
  // not the Table service's answer, and no request reached the Table service at all.
  const credential = credentialErrorOf(err);
  if (credential)
    return `cannot create table ${table} at ${endpoint}: the app's managed identity could not get a token for it (${credential}): AZURE_CLIENT_ID must be the client id of a user-assigned identity attached to the app (App Service: Identity, User assigned), not the principal's object id; outside Azure, sign in with az login`;
  const status = statusOf(err);
  const code = errorCodeOf(err);
  const answer =
    status !== undefined
      ? `the Table service answered ${status}${code ? ` ${code}` : ''}`
      : code
        ? `the request failed (${code})`
        : 'the request failed';
  return `cannot create table ${table} at ${endpoint}: ${answer}${fixFor(status, code, connection)}`;
}

/** The likely fix, as a clause starting with ": ", or nothing when there is no likely one. */
function fixFor(status: number | undefined, code: string | undefined, connection: TablesConnection): string {
  const identity = connection.kind === 'identity';
  if (status === 403)
    return identity
      ? ': the app\'s identity needs the "Storage Table Data Contributor" role on the storage account; a new role assignment can take several minutes to apply, then restart acrbot'
      : ': check the AccountKey or SharedAccessSignature in the ACRBOT_STORAGE connection string (a SAS must allow the table service and creating tables)';
  if (status === 404 || code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return identity
      ? ': check the account URL in ACRBOT_STORAGE (tables:https://<account>.table.core.windows.net)'
      : ': check AccountName and TableEndpoint in the ACRBOT_STORAGE connection string';
  if (code === 'ECONNREFUSED')
    return identity
      ? ': nothing accepts connections there; check the account URL in ACRBOT_STORAGE'
      : ': nothing accepts connections there; start the storage emulator (Azurite) or check TableEndpoint';
  return '';
}

/**
 * The @azure/identity error in `err`'s cause chain, by name (its classes are not loaded here):
 * DefaultAzureCredential throws AggregateAuthenticationError when no credential in its chain
 * signs in, and ManagedIdentityCredential alone CredentialUnavailableError or AuthenticationError.
 */
function credentialErrorOf(err: unknown): string | undefined {
  for (const e of causesOf(err) as Iterable<ErrorLike>)
    if (typeof e.name === 'string' && CREDENTIAL_ERRORS.has(e.name)) return e.name;
  return undefined;
}

const CREDENTIAL_ERRORS = new Set([
  'AuthenticationError',
  'AggregateAuthenticationError',
  'CredentialUnavailableError',
  'AuthenticationRequiredError',
]);

function statusOf(err: unknown): number | undefined {
  const status = (err as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * The service's error code (`AuthorizationPermissionMismatch`), or the network error's
 * (`ENOTFOUND`). The SDK fills `code` from a JSON body only: an XML body (what Azure Storage
 * sends for an authorization failure) leaves it to the `x-ms-error-code` header or the body.
 */
function errorCodeOf(err: unknown): string | undefined {
  for (const e of causesOf(err) as Iterable<ErrorLike>) {
    if (typeof e.code === 'string' && /^[A-Za-z][\w.-]{0,99}$/.test(e.code)) return e.code;
    const header = e.response?.headers?.get?.('x-ms-error-code');
    if (header) return header.slice(0, 100);
    const body = typeof e.response?.bodyAsText === 'string' ? e.response.bodyAsText : '';
    const fromBody = /<Code>([A-Za-z][\w.-]{0,99})<\/Code>/.exec(body)?.[1];
    if (fromBody) return fromBody;
  }
  return undefined;
}

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  cause?: unknown;
  response?: { headers?: { get?(name: string): string | undefined }; bodyAsText?: string | null };
}

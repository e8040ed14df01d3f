/**
 * ACRBOT_STORAGE: where the bot keeps its state (memory, a SQLite file, or Azure Tables through a
 * connection string or the managed identity), and whether that store outlives a restart. A problem
 * never repeats the value: a connection string carries the account key.
 */
import { parseUrl } from './parse-url';

/**
 * Where the bot keeps its state. `tables` holds either a connection string (a secret: never
 * print this object) or an account URL reached with DefaultAzureCredential (no key).
 */
export type StorageSetting =
  | { kind: 'memory' }
  | { kind: 'sqlite'; path: string }
  | {
      kind: 'tables';
      connection: { kind: 'connectionString'; value: string } | { kind: 'identity'; endpoint: string };
      /** Table name prefix (ACRBOT_TABLE_PREFIX, default `acrbot`). */
      prefix?: string;
    };

/**
 * Whether `storage` lives in process memory (memory, or SQLite's `:memory:`), losing every request,
 * scheduled end and audit entry at a restart: refused in azure mode without
 * ACRBOT_ALLOW_EPHEMERAL_STORAGE, and warned about at every start with it.
 */
export function isEphemeralStorage(storage: StorageSetting): boolean {
  return storage.kind === 'memory' || (storage.kind === 'sqlite' && storage.path === ':memory:');
}

/**
 * What @azure/data-tables would refuse in a connection string (utils/connectionString.js), so
 * the start check refuses it, by name, instead of the first store opening. The SDK reads a string
 * as an account key connection string only when it has both DefaultEndpointsProtocol and
 * AccountKey; anything else as a SAS one, which needs TableEndpoint (the account name read from
 * it) and SharedAccessSignature. `fields` are the string's fields, names in lower case.
 */
function tablesConnectionStringProblem(fields: ReadonlyMap<string, string>): string | undefined {
  const endpoint = fields.get('tableendpoint');
  if (fields.has('defaultendpointsprotocol') && fields.has('accountkey')) {
    if (!fields.get('accountname')) return 'the connection string has no AccountName';
    if (!fields.get('accountkey')) return 'the connection string has an empty AccountKey';
    if (!endpoint && !fields.get('endpointsuffix'))
      return 'the connection string needs TableEndpoint=https://… or EndpointSuffix=core.windows.net';
    return undefined;
  }
  if (fields.get('accountkey') && !fields.get('sharedaccesssignature'))
    return "a connection string with AccountKey needs DefaultEndpointsProtocol=https (without it the Azure SDK reads it as a SAS connection string and refuses it): copy the whole connection string from the storage account's Access keys";
  if (!endpoint || !fields.get('sharedaccesssignature'))
    return 'a connection string with SharedAccessSignature needs TableEndpoint=https://<account>.table.core.windows.net';
  const url = parseUrl(endpoint);
  const host = url?.hostname.split('.') ?? [];
  if (!url || !(host[1] === 'table' ? host[0] : url.pathname.split('/')[1]))
    return "TableEndpoint must be the account's table endpoint, https://<account>.table.core.windows.net";
  return undefined;
}

/** Parses ACRBOT_STORAGE; a string is the problem (never containing the value). */
export function parseStorage(value: string): StorageSetting | string {
  if (value === 'memory') return { kind: 'memory' };
  if (value.startsWith('sqlite:')) {
    // Trimmed as every value is (`sqlite: /var/lib/…`): a leading space would make a folder named
    // " " and hide `:memory:` from the ephemeral-storage check.
    const path = value.slice('sqlite:'.length).trim();
    return path ? { kind: 'sqlite', path } : 'sqlite: needs a path';
  }
  if (value.startsWith('tables:')) {
    const rest = value.slice('tables:'.length).trim();
    if (/^https:\/\//i.test(rest)) {
      const url = parseUrl(rest);
      if (!url) return 'tables:https://… is not a valid URL';
      if (url.username || url.password || url.search || (url.pathname !== '/' && url.pathname !== ''))
        return 'tables:https://<account>.table.core.windows.net takes the account URL only (no key, SAS or path; the bot signs in with its managed identity)';
      return { kind: 'tables', connection: { kind: 'identity', endpoint: url.origin } };
    }
    if (/^http:\/\//i.test(rest))
      return 'tables: needs an https:// account URL (or a connection string for the local emulator)';
    const fields = new Map(
      rest
        .split(';')
        .filter(Boolean)
        .map((part) => {
          const i = part.indexOf('=');
          return [part.slice(0, i).trim().toLowerCase(), part.slice(i + 1).trim()] as const;
        }),
    );
    if (!fields.get('accountname') && !fields.get('tableendpoint') && !fields.has('usedevelopmentstorage'))
      return 'tables: expects a connection string (DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…;EndpointSuffix=core.windows.net, as the portal gives it) or https://<account>.table.core.windows.net';
    if (!fields.get('accountkey') && !fields.get('sharedaccesssignature') && !fields.has('usedevelopmentstorage'))
      return 'tables: the connection string has no AccountKey or SharedAccessSignature (without a key, use tables:https://<account>.table.core.windows.net and a managed identity)';
    const endpoint = fields.get('tableendpoint');
    if (endpoint && /^http:\/\//i.test(endpoint) && !/^http:\/\/(127\.0\.0\.1|localhost)[:/]/i.test(endpoint))
      return 'tables: TableEndpoint must be https:// (plain http only for a local emulator on 127.0.0.1)';
    // Without TableEndpoint the SDK builds <protocol>://<account>.table.<suffix>, never loopback:
    // plain http there would send the signed requests and every entity unencrypted.
    const protocol = fields.get('defaultendpointsprotocol');
    if (!endpoint && protocol !== undefined && protocol.toLowerCase() !== 'https')
      return 'tables: DefaultEndpointsProtocol must be https (plain http only for a local emulator, with TableEndpoint=http://127.0.0.1:…)';
    const sdkProblem = fields.has('usedevelopmentstorage') ? undefined : tablesConnectionStringProblem(fields);
    if (sdkProblem) return `tables: ${sdkProblem}`;
    return { kind: 'tables', connection: { kind: 'connectionString', value: rest } };
  }
  return 'must be "memory", "sqlite:<path>", "tables:<connection string>" or "tables:https://<account>.table.core.windows.net"';
}

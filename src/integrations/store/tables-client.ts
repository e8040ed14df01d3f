/**
 * Shared plumbing for the Azure Table Storage stores (`@azure/data-tables`): opening table
 * clients from a connection string (Azurite, account keys) or an account URL with the process's
 * DefaultAzureCredential (managed identity, no key; http/azure-credential.ts), reading status
 * codes out of SDK errors, safe row keys, and JSON documents split over several string
 * properties (CONTRACTS §7a: a string property holds at most 64 KiB, an entity at most 1 MiB and
 * 252 properties).
 */
import { createHash } from 'node:crypto';
import type * as TablesModule from '@azure/data-tables';
import type { TableClient, TableEntity, TableEntityResult } from '@azure/data-tables';
import { sharedAzureCredential } from '../http/azure-credential';
import { dropIdlePolicies } from '../http/idle-policies';
import { tableOpenProblem } from './tables-open-problem';
import { tableRest } from './tables-rest';
import { tablesTransport } from './tables-transaction';

/** How to reach the Table service. The connection string is a secret: never log this object. */
export type TablesConnection = { kind: 'connectionString'; value: string } | { kind: 'identity'; endpoint: string };

/** Opens table clients for one account and creates tables on first use. */
export interface TablesAccount {
  /** A client for `${prefix}${name}`; the table is created if missing. */
  table(name: string): Promise<TableClient>;
  /** A client for `${prefix}${name}` that never creates the table (read-only review tools). */
  existingTable(name: string): TableClient;
  /** Where the account is, without credentials (safe to log). */
  readonly displayEndpoint: string;
}

/** How table clients are built. */
export interface TablesClientOptions {
  /**
   * False when no telemetry exporter runs: the clients then drop the SDK's tracing policy, which
   * otherwise starts a no-op span for every request (as the ARM and Graph clients do).
   */
  tracing?: boolean;
}

/** Opens an account; `prefix` (letters/digits) separates deployments or tests sharing one account. */
export function openTablesAccount(
  connection: TablesConnection,
  prefix = 'acrbot',
  options: TablesClientOptions = {},
): TablesAccount {
  if (!/^[A-Za-z][A-Za-z0-9]{0,39}$/.test(prefix)) throw new Error('table prefix must be letters and digits');
  // Loaded on first use: processes on SQLite never pay for the Tables SDK.
  const tables = require('@azure/data-tables') as typeof TablesModule;
  const clients = new Map<string, Promise<TableClient>>();
  const make = (tableName: string): TableClient => {
    const client = build(tableName);
    dropIdlePolicies(client.pipeline, options);
    return client;
  };
  const build = (tableName: string): TableClient => {
    if (connection.kind === 'connectionString') {
      const insecure = /(TableEndpoint|BlobEndpoint)=http:\/\/(127\.0\.0\.1|localhost)[:/]/i.test(connection.value);
      return tables.TableClient.fromConnectionString(connection.value, tableName, {
        // Plain http only for the local emulator on loopback (TOOLCHAIN: Azurite).
        allowInsecureConnection: insecure,
        // One HTTP client (and keep-alive pool) for the SDK's operations and our transactions.
        httpClient: tablesTransport().http,
      });
    }
    // The process's one credential (one token cache), its token requests on the pooled client too.
    return new tables.TableClient(connection.endpoint, tableName, sharedAzureCredential(), {
      httpClient: tablesTransport().http,
    });
  };
  const displayEndpoint = connection.kind === 'identity' ? connection.endpoint : tableEndpointOf(connection.value);
  return {
    displayEndpoint,
    existingTable: (name: string) => make(`${prefix}${name}`),
    table(name: string): Promise<TableClient> {
      const full = `${prefix}${name}`;
      let client = clients.get(full);
      if (!client) {
        client = (async () => {
          const c = make(full);
          try {
            await c.createTable();
          } catch (err) {
            if (statusOf(err) !== 409)
              throw new Error(tableOpenProblem(err, full, connection, displayEndpoint), { cause: err });
          }
          return c;
        })();
        // A failed creation is retried by the next caller rather than cached.
        client.catch(() => clients.delete(full));
        clients.set(full, client);
      }
      return client;
    },
  };
}

/** The table endpoint of a connection string, without the key (for logs and errors). */
export function tableEndpointOf(connectionString: string): string {
  const endpoint = /TableEndpoint=([^;]+)/i.exec(connectionString)?.[1];
  if (endpoint) return endpoint;
  const account = /AccountName=([^;]+)/i.exec(connectionString)?.[1];
  return account ? `https://${account}.table.core.windows.net` : '(connection string)';
}

/** HTTP status of an SDK error (RestError), or undefined. */
export function statusOf(err: unknown): number | undefined {
  const status = (err as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * True when the service refused a write as such and stored none of it: a 4xx other than a lost
 * race (409, 412), a timeout (408) or throttling (429). Anything else (a 5xx, no answer) may
 * follow a try the service applied with its answer lost.
 */
export function refusedAsSuch(err: unknown): boolean {
  const status = statusOf(err);
  if (status === undefined || status < 400 || status >= 500) return false;
  return status !== 408 && status !== 409 && status !== 412 && status !== 429;
}

/** True for the answers of a conditional write that lost: 412 (stale ETag) or 409 (already exists). */
export function isConflict(err: unknown): boolean {
  const s = statusOf(err);
  return s === 412 || s === 409;
}

/**
 * A row or partition key from free text: characters the service refuses or that SDKs mangle
 * (`/ \ # ?`, `%`, control characters, and our own `|` separator) are written as `!XX` hex,
 * so different inputs never map to one key.
 */
export function keyPart(text: string): string {
  return text.replace(/[^A-Za-z0-9\-_.:@=+]/g, (c) => {
    const hex = c.codePointAt(0)!.toString(16).toUpperCase();
    return `!${hex.length % 2 ? `0${hex}` : hex};`;
  });
}

/**
 * The SHA-256 of `text` in hex (64 characters): a key part of fixed length for values that can
 * be long (ARM ids, Teams conversation ids). Hex so that an operator can find a row with
 * `printf %s "$id" | sha256sum`.
 */
export function keyDigest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * {@link keyPart} of `text` when it is at most `max` characters, otherwise `~` and the
 * {@link keyDigest} of `text` (65 characters). `keyPart` escapes `~`, so a digest never equals
 * the escaped form of any value. Choosing `max` as the room the key has left under the
 * service's limit keeps every key that could be stored before exactly as it was (no migration)
 * and gives a key to values that were refused (400 `InvalidInput`) until now.
 */
export function boundedKeyPart(text: string, max: number): string {
  const escaped = keyPart(text);
  return escaped.length <= max ? escaped : `~${keyDigest(text)}`;
}

/** Zero-padded number for row keys that sort numerically. */
export function pad(n: number, width = 12): string {
  return String(n).padStart(width, '0');
}

/** UTF-16 code units per property: 30,000 chars stay below 64 KiB even when every char is 2 bytes. */
const CHUNK = 30_000;
/**
 * Properties a document may use: the service stores strings as UTF-16 and takes at most 1 MiB
 * per entity, so 16 × 30,000 code units (960,000 bytes at 2 bytes each) leave room for the keys
 * and index columns. A larger document is refused here, by name, not by the service.
 */
const MAX_CHUNKS = 16;

/** Splits JSON over `doc0..docN` properties (a 64 KiB string limit per property). */
export function docProperties(value: unknown): Record<string, string | number> {
  const json = JSON.stringify(value);
  const parts: string[] = [];
  for (let at = 0; at < json.length || parts.length === 0;) {
    let end = Math.min(at + CHUNK, json.length);
    // Never between the two halves of a surrogate pair (an emoji, a rare CJK character): each
    // property is sent and stored on its own, and a lone half does not survive that (the service
    // stores U+FFFD), so the document read back would not be the one written.
    if (end < json.length && isHighSurrogate(json.charCodeAt(end - 1))) end--;
    parts.push(json.slice(at, end));
    at = end;
  }
  if (parts.length > MAX_CHUNKS) throw new Error(`document too large for one table entity (${json.length} characters)`);
  const out: Record<string, string | number> = { docChunks: parts.length };
  parts.forEach((part, i) => (out[`doc${i}`] = part));
  return out;
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

/**
 * Reassembles a document written by {@link docProperties}. A row it could not have written (a
 * chunk count outside 1–{@link MAX_CHUNKS}, a chunk that is not a string) throws at once: the
 * count is read from the row, and one edited to 10^12 would otherwise hold every read of it (and
 * `audit verify`, which must report that row as broken) in a loop for weeks.
 */
export function readDoc<T>(entity: TableEntityResult<Record<string, unknown>> | Record<string, unknown>): T {
  const chunks = entity.docChunks ?? 1;
  if (typeof chunks !== 'number' || !Number.isInteger(chunks) || chunks < 1 || chunks > MAX_CHUNKS)
    throw new Error(`a stored document's chunk count is not one acrbot writes (1 to ${MAX_CHUNKS})`);
  let json = '';
  for (let i = 0; i < chunks; i++) {
    const part = entity[`doc${i}`];
    if (typeof part !== 'string') throw new Error(`a stored document's chunk ${i} of ${chunks} is missing`);
    json += part;
  }
  return JSON.parse(json) as T;
}

/** The entity, or undefined when it does not exist (404). */
export async function findEntity(
  client: TableClient,
  partitionKey: string,
  rowKey: string,
): Promise<TableEntityResult<Record<string, unknown>> | undefined> {
  try {
    return await tableRest(client).get(partitionKey, rowKey);
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw err;
  }
}

/** Every entity of a query, following continuation tokens. */
export async function listAll(
  client: TableClient,
  filter: string,
  select?: string[],
): Promise<TableEntityResult<Record<string, unknown>>[]> {
  const out: TableEntityResult<Record<string, unknown>>[] = [];
  for await (const page of tableRest(client).pages({ filter, select })) for (const e of page) out.push(e);
  return out;
}

/** At most `limit` entities of a query in key order (reads only the pages it needs). */
export async function listTop(
  client: TableClient,
  filter: string,
  limit: number,
): Promise<TableEntityResult<Record<string, unknown>>[]> {
  const out: TableEntityResult<Record<string, unknown>>[] = [];
  if (limit <= 0) return out;
  for await (const page of tableRest(client).pages({ filter, pageSize: Math.min(limit, 1000) })) {
    for (const e of page) {
      out.push(e);
      if (out.length >= limit) return out;
    }
  }
  return out;
}

/** OData string literal (single quotes doubled). */
export function lit(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Filter for row keys starting with `prefix` in one partition. */
export function prefixFilter(partitionKey: string, prefix: string): string {
  return `PartitionKey eq ${lit(partitionKey)} and RowKey ge ${lit(prefix)} and RowKey lt ${lit(`${prefix}\uffff`)}`;
}

/** Short random wait before retrying a lost optimistic write, so racing writers spread out. */
export function backoff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(200, 5 * 2 ** Math.min(attempt, 6));
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A table entity as written (keys plus properties). */
export type Row = TableEntity<Record<string, unknown>>;

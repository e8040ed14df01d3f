/**
 * Entity-group transactions (`$batch`, one partition, all or nothing) sent through a
 * TableClient's own pipeline: its SharedKey or bearer-token policy, retries, user agent, client
 * request id and tracing, as the SDK sends its own transactions, without the SDK's per-call
 * assembly. `TableClient.submitTransaction` builds a new TableClient (generated client, whole
 * pipeline, logging and sanitizer setup) for every transaction and runs each action through that
 * pipeline's operation layer and a tracing span to capture its text; a grant flow makes ~17
 * transactions, so that assembly was the largest single CPU cost of the Tables store
 * (docs/storage.md, "Requests on Azure Tables").
 *
 * The body is the documented multipart format (Azure Table service REST API, "Performing entity
 * group transactions"): one changeset of sub-requests with the headers and JSON the SDK writes
 * for the same actions (entities as plain JSON; we only write strings and numbers). Answers keep
 * the SDK's shape: sub-responses in the actions' order with their ETags, and a `RestError` with
 * the failing action's status (409, 412, 404 …) and service error code.
 *
 * Endpoints this does not cover (a SAS in the URL, Cosmos DB's Table API) go through
 * `TableClient.submitTransaction` unchanged.
 */
import { randomUUID } from 'node:crypto';
import type * as RestPipeline from '@azure/core-rest-pipeline';
import type { HttpClient } from '@azure/core-rest-pipeline';
import type { TableClient, TransactionAction as SdkTransactionAction } from '@azure/data-tables';
import type { Row } from './tables-client';
import { sharedHttpClient } from '../http/pooled-http-client';

/** Row and partition keys of an entity. */
export interface EntityKeys {
  partitionKey: string;
  rowKey: string;
}

/**
 * The longest partition or row key the service takes: 1 KiB, and keys are UTF-16, so 512 code
 * units (Azurite checks the same number). A longer key is refused with 400 `InvalidInput`, which
 * says nothing about which key or why.
 */
export const MAX_KEY_LENGTH = 512;

/**
 * Throws, naming the key, when `keys` cannot be stored: the stores shorten keys built from long
 * values (tables-client.ts `boundedKeyPart`), so this is a backstop that turns the service's
 * bare `InvalidInput` into an error that says what was too long, before anything is sent.
 */
export function checkKeys(keys: EntityKeys, table: string): void {
  for (const [name, key] of [
    ['partition', keys.partitionKey],
    ['row', keys.rowKey],
  ] as const) {
    if (key.length > MAX_KEY_LENGTH)
      throw new Error(
        `${name} key of ${key.length} characters in table ${table} is over the ${MAX_KEY_LENGTH} Azure Table Storage takes: ${key.slice(0, 80)}…`,
      );
  }
}

/** The actions acrbot's stores use (a subset of the SDK's `TransactionAction`, same shapes). */
export type TransactionAction =
  ['create', Row] | ['delete', EntityKeys] | ['update', Row, 'Replace', { etag: string }] | ['upsert', Row, 'Replace'];

/** What a transaction answers: one sub-response per action, in the actions' order. */
export interface TransactionResult {
  subResponses: { status: number; etag?: string }[];
}

let shared: { rest: typeof RestPipeline; http: HttpClient } | undefined;

/** The pipeline package and the process's pooled HTTP client (see pooled-http-client.ts) for every table client. */
export function tablesTransport(): { rest: typeof RestPipeline; http: HttpClient } {
  if (!shared) {
    // Loaded on first use: processes on SQLite never load it for the store.
    const rest = require('@azure/core-rest-pipeline') as typeof RestPipeline;
    shared = { rest, http: sharedHttpClient() };
  }
  return shared;
}

const CRLF = '\r\n';

/** The Table service REST version the SDK speaks, sent with every request (`x-ms-version`). */
export const SERVICE_VERSION = '2019-02-02';

/**
 * True when requests for `client` are sent by this module and tables-rest.ts: no SAS in the URL,
 * not Cosmos DB, https or loopback http. Others go through the SDK's own methods.
 */
export function sendsDirectly(client: TableClient): boolean {
  let direct = directness.get(client);
  if (direct === undefined) directness.set(client, (direct = decideDirect(new URL(client.url))));
  return direct;
}

/** {@link sendsDirectly} per client, decided once (a client's URL never changes). */
const directness = new WeakMap<TableClient, boolean>();

function decideDirect(url: URL): boolean {
  if (url.search) return false;
  if (/\.table\.cosmos(db)?\./.test(url.hostname)) return false;
  // The Cosmos DB emulator listens on localhost too; Azurite's URLs name its account.
  if (url.hostname === 'localhost' && !url.pathname.startsWith('/devstoreaccount1')) return false;
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname));
}

function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
}

/** `'…'` inside a key predicate: quotes doubled, then URL-encoded (as the SDK's operations do). */
function keyLiteral(value: string): string {
  return encodeURIComponent(value.replace(/'/g, "''"));
}

/** `(PartitionKey='…',RowKey='…')`: what follows the table's URL to address one entity. */
export function keyPredicate(partitionKey: string, rowKey: string): string {
  return `(PartitionKey='${keyLiteral(partitionKey)}',RowKey='${keyLiteral(rowKey)}')`;
}

/** JSON of an entity: PartitionKey/RowKey renamed, strings and numbers as they are. */
export function entityJson(row: Row): string {
  const { partitionKey, rowKey, ...rest } = row;
  const out: Record<string, unknown> = { PartitionKey: partitionKey, RowKey: rowKey };
  for (const [name, value] of Object.entries(rest)) {
    if (value === undefined) continue;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean' && value !== null)
      throw new Error(`property ${name} of a table row must be a string, number or boolean`);
    out[name] = value;
  }
  return JSON.stringify(out);
}

/** One sub-request of the changeset. */
function subRequest(tableUrl: string, action: TransactionAction): string {
  const [kind, entity] = action;
  const at = `${tableUrl}${keyPredicate(entity.partitionKey, entity.rowKey)}`;
  let head: string[];
  let body = '';
  switch (kind) {
    case 'create':
      head = [
        `POST ${tableUrl} HTTP/1.1`,
        'Content-Type: application/json;odata=nometadata',
        'Accept: application/json;odata=minimalmetadata',
        'DataServiceVersion: 3.0',
        'Prefer: return-no-content',
      ];
      body = entityJson(action[1]);
      break;
    case 'delete':
      // Unconditional, as the SDK's transaction delete (a missing row fails the whole batch with 404).
      head = [
        `DELETE ${at} HTTP/1.1`,
        'Accept: application/json;odata=minimalmetadata',
        'DataServiceVersion: 3.0',
        'If-Match: *',
      ];
      break;
    case 'update':
      head = [
        `PUT ${at} HTTP/1.1`,
        'Content-Type: application/json',
        'DataServiceVersion: 3.0',
        'Accept: application/json',
        `If-Match: ${action[3].etag}`,
      ];
      body = entityJson(action[1]);
      break;
    case 'upsert':
      head = [
        `PUT ${at} HTTP/1.1`,
        'Content-Type: application/json',
        'DataServiceVersion: 3.0',
        'Accept: application/json',
      ];
      body = entityJson(action[1]);
      break;
  }
  return `Content-Type: application/http${CRLF}Content-Transfer-Encoding: binary${CRLF}${CRLF}${head.join(CRLF)}${CRLF}${CRLF}${body}`;
}

/**
 * The service's error in a failed answer or transaction sub-response: its OData code and message
 * when the body has them, else `fallback` (a proxy's page, an empty body).
 */
export function serviceError(text: string, fallback: string): { code?: string; message: string } {
  const json = /\{[\s\S]*\}/.exec(text)?.[0];
  if (json) {
    try {
      const error = (JSON.parse(json) as { 'odata.error'?: { code?: string; message?: { value?: string } } })[
        'odata.error'
      ];
      if (error) return { code: error.code, message: error.message?.value ?? fallback };
    } catch {
      // Not JSON (an XML error page from a proxy): the status speaks for itself.
    }
  }
  return { message: fallback };
}

/**
 * Submits `actions` as one entity-group transaction on `client`'s table: all succeed or none
 * is applied. Throws a `RestError` with the failing action's status (and the service's error
 * code) when the service refuses it, as `TableClient.submitTransaction` does.
 */
export async function submitTransaction(client: TableClient, actions: TransactionAction[]): Promise<TransactionResult> {
  if (actions.length === 0) throw new Error('a transaction needs at least one action');
  const partitionKey = actions[0][1].partitionKey;
  if (actions.some((a) => a[1].partitionKey !== partitionKey))
    throw new Error('all operations in a transaction must target the same partitionKey');
  for (const action of actions) checkKeys(action[1], client.tableName);
  if (!sendsDirectly(client)) return client.submitTransaction(actions as SdkTransactionAction[]);
  const { rest, http } = tablesTransport();
  const base = client.url.replace(/\/+$/, '');
  const tableUrl = `${base}/${encodeURIComponent(client.tableName)}`;
  const batch = `batch_${randomUUID()}`;
  const changeset = `changeset_${randomUUID()}`;
  let body = `--${batch}${CRLF}Content-Type: multipart/mixed; boundary=${changeset}${CRLF}${CRLF}`;
  for (const action of actions) body += `--${changeset}${CRLF}${subRequest(tableUrl, action)}${CRLF}`;
  body += `--${changeset}--${CRLF}--${batch}--${CRLF}`;
  const request = rest.createPipelineRequest({
    url: `${base}/$batch`,
    method: 'POST',
    body,
    headers: rest.createHttpHeaders({
      accept: 'application/json',
      'x-ms-version': SERVICE_VERSION,
      DataServiceVersion: '3.0;',
      MaxDataServiceVersion: '3.0;NetFx',
      'Content-Type': `multipart/mixed; boundary=${batch}`,
      'Accept-Charset': 'UTF-8',
    }),
    allowInsecureConnection: base.startsWith('http:'),
  });
  const response = await client.pipeline.sendRequest(http, request);
  const text = response.bodyAsText ?? '';
  if (response.status < 200 || response.status >= 300) {
    const { code, message } = serviceError(text, 'Transaction Failed');
    throw new rest.RestError(message, { code, statusCode: response.status, request, response });
  }
  // The answer is one changeset response per action (or one, for the action that failed).
  const parts = text.split('--changesetresponse_').slice(1, -1);
  const subResponses = parts.map((part) => {
    const status = Number(/HTTP\/1\.1 (\d{3})/.exec(part)?.[1]);
    if (!Number.isInteger(status)) throw new Error('a transaction sub-response has no status line');
    if (status >= 300) {
      const { code, message } = serviceError(part, 'Transaction Failed');
      throw new rest.RestError(message, { code, statusCode: status, request, response });
    }
    const etag = /^ETag: *(.*?)\r?$/im.exec(part)?.[1];
    return etag ? { status, etag } : { status };
  });
  if (subResponses.length !== actions.length)
    throw new Error(`the transaction answered ${subResponses.length} sub-responses for ${actions.length} actions`);
  return { subResponses };
}

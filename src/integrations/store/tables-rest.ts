/**
 * Entity reads, writes and queries on one table sent through its TableClient's own pipeline
 * (SharedKey or managed-identity token, retries, user agent, request id, tracing), as
 * `tables-transaction.ts` does for transactions, without the SDK's operation layer: every
 * `TableClient` entity method opens a tracing span and runs the request through core-client's
 * operation specs, URL templates and model (de)serialisers, about as much bot CPU as the HTTP
 * exchange itself for these small rows (docs/storage.md, "Requests on Azure Tables"). The
 * requests and answers are those of the Table service REST API (the SDK's, header for header):
 * entities as JSON with `odata=minimalmetadata`, `If-Match` for conditional writes, continuation
 * headers for queries, and failures as a `RestError` with the status and the service's error
 * code, as the SDK throws them.
 *
 * Entities read back keep the SDK's shape: `partitionKey`, `rowKey`, `etag`, `timestamp` and the
 * properties; a property the service marks `Edm.Int64` is a `bigint`, as the SDK gives it (acrbot
 * writes only strings and numbers and reads numbers through `Number()`). Endpoints that
 * `tables-transaction.ts` does not send to directly (a SAS in the URL, Cosmos DB) use the SDK's
 * methods instead.
 */
import type { PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';
import type { TableClient, TableEntityResult } from '@azure/data-tables';
import type { Row } from './tables-client';
import {
  checkKeys,
  entityJson,
  keyPredicate,
  SERVICE_VERSION,
  sendsDirectly,
  serviceError,
  tablesTransport,
} from './tables-transaction';

/** An entity as read: keys, ETag and properties. */
export type Entity = TableEntityResult<Record<string, unknown>>;

/** What a query asks for. */
export interface EntityQuery {
  filter: string;
  select?: string[];
  /** Entities per page (the service's `$top`; at most 1,000). */
  pageSize?: number;
}

const rests = new WeakMap<TableClient, TableRest>();

/** The {@link TableRest} of a table client (one per client). */
export function tableRest(client: TableClient): TableRest {
  let rest = rests.get(client);
  if (!rest) rests.set(client, (rest = new TableRest(client)));
  return rest;
}

/** Entity operations of one table over its client's pipeline. */
export class TableRest {
  private readonly direct: boolean;
  private readonly tableUrl: string;

  constructor(private readonly client: TableClient) {
    this.direct = sendsDirectly(client);
    this.tableUrl = `${client.url.replace(/\/+$/, '')}/${encodeURIComponent(client.tableName)}`;
  }

  /** The entity, or a `RestError` with 404 when it does not exist (as `TableClient.getEntity`). */
  async get(partitionKey: string, rowKey: string): Promise<Entity> {
    checkKeys({ partitionKey, rowKey }, this.client.tableName);
    if (!this.direct) return this.client.getEntity(partitionKey, rowKey);
    const response = await this.send('GET', `${this.tableUrl}${keyPredicate(partitionKey, rowKey)}`, READ);
    return toEntity(JSON.parse(response.bodyAsText ?? '{}') as Record<string, unknown>);
  }

  /** Inserts `row`; 409 when it exists. Resolves the new ETag. */
  async create(row: Row): Promise<{ etag?: string }> {
    checkKeys(row, this.client.tableName);
    if (!this.direct) return this.client.createEntity(row);
    const response = await this.send('POST', this.tableUrl, INSERT, entityJson(row));
    return { etag: response.headers.get('etag') ?? undefined };
  }

  /** Replaces `row` under `etag` (`*`: whatever is there; 404 when missing, 412 when changed). */
  async replace(row: Row, etag: string): Promise<{ etag?: string }> {
    checkKeys(row, this.client.tableName);
    if (!this.direct) return this.client.updateEntity(row, 'Replace', { etag });
    const headers = { ...WRITE, 'If-Match': etag };
    const response = await this.send('PUT', this.entityUrl(row), headers, entityJson(row));
    return { etag: response.headers.get('etag') ?? undefined };
  }

  /** Inserts or replaces `row` (no condition). */
  async upsert(row: Row): Promise<{ etag?: string }> {
    checkKeys(row, this.client.tableName);
    if (!this.direct) return this.client.upsertEntity(row, 'Replace');
    const response = await this.send('PUT', this.entityUrl(row), WRITE, entityJson(row));
    return { etag: response.headers.get('etag') ?? undefined };
  }

  /** Deletes the entity under `etag` (`*` by default); 404 when missing, 412 when changed. */
  async delete(partitionKey: string, rowKey: string, etag = '*'): Promise<void> {
    checkKeys({ partitionKey, rowKey }, this.client.tableName);
    if (!this.direct) {
      await this.client.deleteEntity(partitionKey, rowKey, { etag });
      return;
    }
    const url = `${this.tableUrl}${keyPredicate(partitionKey, rowKey)}`;
    await this.send('DELETE', url, { ...READ, 'If-Match': etag });
  }

  /** The pages of a query, in key order, following continuation headers. */
  async *pages(query: EntityQuery): AsyncGenerator<Entity[]> {
    if (!this.direct) {
      yield* this.client
        .listEntities<Record<string, unknown>>({ queryOptions: { filter: query.filter, select: query.select } })
        .byPage({ maxPageSize: query.pageSize });
      return;
    }
    let next: { partitionKey?: string; rowKey?: string } | undefined = {};
    while (next) {
      let url = `${this.tableUrl}()?$filter=${encodeURIComponent(query.filter)}`;
      if (query.select?.length) url += `&$select=${encodeURIComponent(query.select.join(','))}`;
      if (query.pageSize) url += `&$top=${query.pageSize}`;
      if (next.partitionKey) url += `&NextPartitionKey=${encodeURIComponent(next.partitionKey)}`;
      if (next.rowKey) url += `&NextRowKey=${encodeURIComponent(next.rowKey)}`;
      const response = await this.send('GET', url, READ);
      const body = JSON.parse(response.bodyAsText ?? '{}') as { value?: Record<string, unknown>[] };
      const partitionKey = response.headers.get('x-ms-continuation-nextpartitionkey') ?? undefined;
      const rowKey = response.headers.get('x-ms-continuation-nextrowkey') ?? undefined;
      next = partitionKey || rowKey ? { partitionKey, rowKey } : undefined;
      yield (body.value ?? []).map(toEntity);
    }
  }

  private entityUrl(row: Row): string {
    return `${this.tableUrl}${keyPredicate(row.partitionKey, row.rowKey)}`;
  }

  private async send(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    headers: Record<string, string>,
    body?: string,
  ): Promise<PipelineResponse> {
    const { rest, http } = tablesTransport();
    const request: PipelineRequest = rest.createPipelineRequest({
      url,
      method,
      body,
      headers: rest.createHttpHeaders({ ...COMMON, ...headers }),
      allowInsecureConnection: url.startsWith('http:'),
    });
    const response = await this.client.pipeline.sendRequest(http, request);
    if (response.status >= 400) {
      const error = serviceError(response.bodyAsText ?? '', `the Table service answered ${response.status}`);
      // No OData body (a proxy's page, an empty answer): the header's code, as the SDK reads it.
      const code = error.code ?? response.headers.get('x-ms-error-code') ?? undefined;
      throw new rest.RestError(error.message, { code, statusCode: response.status, request, response });
    }
    return response;
  }
}

/** Headers of every request (the service version and OData version the SDK sends). */
const COMMON = { 'x-ms-version': SERVICE_VERSION, DataServiceVersion: '3.0' };
const READ = { Accept: 'application/json;odata=minimalmetadata' };
const INSERT = {
  'Content-Type': 'application/json;odata=nometadata',
  Accept: 'application/json;odata=minimalmetadata',
  Prefer: 'return-no-content',
};
const WRITE = { 'Content-Type': 'application/json', Accept: 'application/json' };

/** An entity of a JSON answer in the SDK's shape (see the file's comment). */
function toEntity(json: Record<string, unknown>): Entity {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(json)) {
    if (name.startsWith('odata.') || name.endsWith('@odata.type')) continue;
    const key =
      name === 'PartitionKey'
        ? 'partitionKey'
        : name === 'RowKey'
          ? 'rowKey'
          : name === 'Timestamp'
            ? 'timestamp'
            : name;
    out[key] = json[`${name}@odata.type`] === 'Edm.Int64' ? BigInt(value as string) : value;
  }
  if (json['odata.etag'] !== undefined) out.etag = json['odata.etag'];
  return out as Entity;
}

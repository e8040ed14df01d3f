/**
 * A small Microsoft Graph v1.0 client on the Azure SDK's HTTP pipeline, so Graph calls get
 * the same bearer-token policy, TLS options and 429/5xx retries (Retry-After honoured up to a
 * minute, capped-retry.ts) as the ARM clients. The two or three calls acrbot makes do not
 * justify the Graph SDK.
 *
 * Every call sends a `client-request-id` of its own (a fresh GUID), which Graph logs and echoes:
 * a call that got no answer (connection refused or reset, the answer timeout) still has an id
 * Graph's support can look it up by. One id per call, kept when the pipeline sends it again
 * (the request is resent as it is, as the Graph SDKs do): the failure names one id, and that id
 * finds every attempt, each told apart by Graph's own `request-id`.
 *
 * A call that gets no answer is sent twice at most, not four times (http/no-answer-policy.ts,
 * as ARM's): with the SDK's three resends one call to a Graph that had stopped answering took
 * about four minutes to fail. Throttling and 5xx resends are as before.
 */
import type { TokenCredential } from '@azure/core-auth';
import type * as RestPipeline from '@azure/core-rest-pipeline';
import type { HttpClient, Pipeline, PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';
import { randomUUID } from 'node:crypto';
import type { Agent } from 'node:https';
import { transportOptions } from '../azure/arm-connection';
import { RetryAfterTooLongError, retryAfterCapPolicy } from '../http/capped-retry';
import { dropIdlePolicies } from '../http/idle-policies';
import { type AnswerTimedHttpClient, NoAnswerError, noAnswerPolicy } from '../http/no-answer-policy';
import { sharedHttpClient } from '../http/pooled-http-client';
import { graphId, graphIds, isGraphId } from './graph-answer-ids';
import { callerObjectId } from './graph-caller';
import { GraphError, GraphUnconfirmedError } from './graph-failure';
import { graphThrottlePolicy } from './graph-throttling';

/** Graph connection settings. */
export interface GraphConnection {
  /** Base URL without `/v1.0`, e.g. https://graph.microsoft.com. */
  endpoint: string;
  credential: TokenCredential;
  /** PEM of a CA to trust (sandbox). */
  caPem?: string;
  /** A shared keep-alive agent (then carrying the CA); see `keepAliveAgent`. */
  agent?: Agent;
  /** false: no telemetry exporter runs; the pipeline's tracing policy is dropped (see `dropIdlePolicies`). */
  tracing?: boolean;
  /** First wait after a 429 that names none (default 1 s, doubled on each retry; tests shorten it). */
  throttleBackoffMs?: number;
  /**
   * The HTTP client under both pipelines; default the process's pooled client. Tests pass one
   * with a shorter answer timeout (`answerTimeoutMs`, which the no-answer error then names).
   */
  httpClient?: AnswerTimedHttpClient;
}

/** The name of the bound on sends without an answer in a Graph pipeline. */
export const GRAPH_NO_ANSWER_POLICY = 'graphNoAnswerPolicy';

/**
 * True for an error of acrbot's own code, not of the call: wrapped as Graph's, the bug would
 * hide behind a failure of Graph's (as `armFailure` returns them untouched).
 */
function isProgrammingError(err: unknown): boolean {
  return err instanceof TypeError || err instanceof ReferenceError || err instanceof RangeError;
}

/** Most pages {@link GraphClient.listAll} follows before it fails rather than answer part of a list. */
export const GRAPH_MAX_PAGES = 20;

/** Longest {@link GraphError.serviceMessage} kept. */
const SERVICE_MESSAGE_MAX = 300;

/** Graph response. */
export interface GraphResponse<T> {
  status: number;
  body: T | undefined;
  requestId?: string;
}

/** Sends JSON requests to Graph. */
export class GraphClient {
  private transport?: { pipeline: Pipeline; http: HttpClient; rest: typeof RestPipeline };
  /** The same pipeline without its retry policies, for writes that must not be sent twice. */
  private oncePipeline?: Pipeline;
  private readonly base: string;
  /** The requests handed to the HTTP client (see {@link pipelineWith}): only those have an id Graph may know. */
  private readonly sent = new WeakSet<PipelineRequest>();

  /** {@link callerId}'s answer once it has one (a failure is asked again next time). */
  private caller?: Promise<string>;

  constructor(private readonly connection: GraphConnection) {
    this.base = `${connection.endpoint.replace(/\/+$/, '')}/v1.0`;
  }

  /** Built on first use: the pipeline package is not needed to start (P5). */
  private get client(): { pipeline: Pipeline; http: HttpClient; rest: typeof RestPipeline } {
    if (!this.transport) {
      const rest = require('@azure/core-rest-pipeline') as typeof RestPipeline;
      this.transport = {
        pipeline: this.pipelineWith(rest, 3),
        http: this.connection.httpClient ?? sharedHttpClient(),
        rest,
      };
    }
    return this.transport;
  }

  /**
   * A pipeline like {@link client}'s but that never resends what Graph may have applied: the
   * SDK's retry policies resend a POST after a 5xx or a lost answer, and a POST that is not
   * idempotent (addPassword, creating a service principal) may have been applied already,
   * leaving a second password nobody knows or a conflict with itself. A 429 is still sent again:
   * Graph throttles before it does anything.
   */
  private get once(): Pipeline {
    this.oncePipeline ??= this.pipelineWith(this.client.rest, 0);
    return this.oncePipeline;
  }

  /**
   * The SDK pipeline with `maxRetries` resends, the idle policies dropped and Graph's bearer
   * token. Throttling is retried in both: with no resends the SDK's policy retries nothing, so
   * every 429 is taken by {@link graphThrottlePolicy}; otherwise the SDK honours a 429's
   * `Retry-After` and the added policy takes the 429s that name no wait, which it gives up on.
   * Inside both, {@link retryAfterCapPolicy} fails a 429 or 503 that asks for more than a minute
   * (the SDK's own retry would wait whatever it asks), and a send that got no answer is resent
   * once at most (see the file's head; in the pipeline that resends nothing else it changes nothing).
   */
  private pipelineWith(rest: typeof RestPipeline, maxRetries: number): Pipeline {
    const pipeline = rest.createPipelineFromOptions({
      ...transportOptions(this.connection),
      retryOptions: { maxRetries },
    });
    dropIdlePolicies(pipeline, this.connection);
    pipeline.addPolicy(
      graphThrottlePolicy(rest, {
        withRetryAfter: maxRetries === 0,
        firstBackoffMs: this.connection.throttleBackoffMs,
      }),
      { phase: 'Retry' },
    );
    // After the Retry phase: inside both retry policies, so it sees each answer before they do.
    // Ids and codes Graph does not write are not taken, as for every other answer (graphIds).
    pipeline.addPolicy(
      retryAfterCapPolicy({ service: 'Microsoft Graph', requestIdHeader: 'request-id', wellFormed: isGraphId }),
      { afterPhase: 'Retry' },
    );
    pipeline.addPolicy(
      noAnswerPolicy({
        name: GRAPH_NO_ANSWER_POLICY,
        service: 'Microsoft Graph',
        answerTimeoutMs: this.connection.httpClient?.answerTimeoutMs,
      }),
      { afterPhase: 'Retry' },
    );
    // Innermost (Sign phase: after the bearer token, on every resend): a call that fails before
    // it (no token) never left acrbot, so Graph could know nothing by its client-request-id.
    pipeline.addPolicy(
      {
        name: 'graphSentMarker',
        sendRequest: (request, next) => {
          this.sent.add(request);
          return next(request);
        },
      },
      { phase: 'Sign' },
    );
    pipeline.addPolicy(
      rest.bearerTokenAuthenticationPolicy({
        credential: this.connection.credential,
        scopes: `${new URL(this.connection.endpoint).origin}/.default`,
      }),
    );
    return pipeline;
  }

  /**
   * The object id of the service principal this client calls Graph as (graph-caller.ts: the
   * `oid` of its app-only token). Kept once known: it does not change while acrbot runs.
   */
  callerId(): Promise<string> {
    this.caller ??= callerObjectId(this.connection.credential, this.connection.endpoint).catch((err: unknown) => {
      this.caller = undefined;
      throw err;
    });
    return this.caller;
  }

  /**
   * Every item of the collection at `path`, its pages followed by `@odata.nextLink`: Graph may
   * answer a page short of the page size and still have more, so a list a decision rests on
   * (who owns an application) is read to its end. A link that leaves this client's Graph
   * (another host or version) is not followed (the bearer token would go with it), nor more
   * than {@link GRAPH_MAX_PAGES} pages: both fail the call rather than answer part of the list.
   * `atMost`: a caller that needs only that many items (the first of them) stops following links
   * once it has them; the answer may then hold more than `atMost` (the last page's whole).
   * `headers` go with every page (`ConsistencyLevel: eventual` for an advanced query).
   */
  async listAll<T>(path: string, options: { atMost?: number; headers?: Record<string, string> } = {}): Promise<T[]> {
    const { atMost = Number.POSITIVE_INFINITY, headers } = options;
    const items: T[] = [];
    let next: string | undefined = path;
    for (let page = 0; next !== undefined && items.length < atMost; page++) {
      if (page === GRAPH_MAX_PAGES)
        throw new Error(`Microsoft Graph listed more than ${GRAPH_MAX_PAGES} pages; the list was not read to its end`);
      const { body }: GraphResponse<{ value?: T[]; '@odata.nextLink'?: unknown }> = await this.request(
        'GET',
        next,
        undefined,
        headers,
      );
      items.push(...(body?.value ?? []));
      const link: unknown = body?.['@odata.nextLink'];
      if (link === undefined || link === null) next = undefined;
      else if (typeof link === 'string' && link.startsWith(`${this.base}/`)) next = link.slice(this.base.length);
      else throw new Error(`Microsoft Graph's link to the next page is not under ${this.base}; not followed`);
    }
    return items;
  }

  /**
   * `method` on `/v1.0{path}`; throws {@link GraphError} on a non-2xx answer, and
   * {@link GraphUnconfirmedError} when a call that was sent got no answer (or one not JSON).
   * `once`: a write that must not be resent (see {@link once}); its failure is the caller's to
   * handle. Errors carry ids, codes and Graph's own sentence, never the request's query or body.
   */
  async request<T>(
    method: 'GET' | 'POST' | 'DELETE' | 'PATCH',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    options: { once?: boolean } = {},
  ): Promise<GraphResponse<T>> {
    const { http, rest } = this.client;
    const pipeline = options.once ? this.once : this.client.pipeline;
    // One per call (see the file's head); the SDK's x-ms-client-request-id (`requestId`) is the same.
    const clientRequestId = randomUUID();
    const request = rest.createPipelineRequest({
      url: `${this.base}${path}`,
      method,
      requestId: clientRequestId,
      headers: rest.createHttpHeaders({
        ...headers,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        'client-request-id': clientRequestId,
      }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let response: PipelineResponse;
    try {
      response = await pipeline.sendRequest(http, request);
    } catch (err) {
      // A 429 whose wait is too long: the GraphError callers act on by status, with why it was not retried.
      if (err instanceof RetryAfterTooLongError)
        throw new GraphError(err.statusCode, err.code, err.requestId, err.serviceMessage, {
          detail: err.message,
          cause: err,
          ids: { clientRequestId },
        });
      // Not sent (no token): nothing for Graph's support to find; a bug of acrbot's is its own.
      if (!this.sent.has(request) || isProgrammingError(err)) throw err;
      // Sent twice without an answer: the wait and the sends, as ARM's failure says them.
      const noAnswer = err instanceof NoAnswerError ? `: ${err.detail} (sent ${err.sends} times; not sent again)` : '';
      throw new GraphUnconfirmedError(
        `Microsoft Graph did not answer ${method} (client request id ${clientRequestId})${noAnswer}`,
        { clientRequestId },
        err,
      );
    }
    // Checked as every id of an answer is: it is kept with the request's record and audit.
    const requestId = graphId(response.headers.get('request-id'));
    let parsed: unknown;
    try {
      parsed = response.bodyAsText ? (JSON.parse(response.bodyAsText) as unknown) : undefined;
    } catch {
      // A proxy's HTML error page, say: the status is what callers act on, not a SyntaxError.
      const { requestId: id, ...ids } = graphIds(response, undefined, clientRequestId);
      if (response.status >= 300) throw new GraphError(response.status, 'Unknown', id, undefined, { ids });
      // No SyntaxError as the cause: V8's message quotes the body around where it broke off, and
      // a cut-short answer to addPassword holds the new secret (G12). Whether Graph did it is
      // not known: the ids it can be looked up by are kept.
      throw new GraphUnconfirmedError(
        `Microsoft Graph answered ${response.status} with a body that is not JSON (${response.bodyAsText?.length ?? 0} characters, content withheld${id ? `; request id ${id}` : ''})`,
        { requestId: id, clientRequestId: ids.clientRequestId ?? clientRequestId },
      );
    }
    if (response.status >= 300) {
      const error = (parsed as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
      // The code reaches the failure sentences (`Azure refused … (code)`): one Graph would not
      // write (a proxy's JSON, say) is not taken.
      const code = graphId(error?.code) ?? 'Unknown';
      const message = typeof error?.message === 'string' ? error.message.slice(0, SERVICE_MESSAGE_MAX) : undefined;
      const { requestId: id, ...ids } = graphIds(response, parsed, clientRequestId);
      throw new GraphError(response.status, code, id, message, { ids });
    }
    return { status: response.status, body: parsed as T | undefined, requestId };
  }
}

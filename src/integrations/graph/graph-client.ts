/**
 * A small Microsoft Graph v1.0 client on the Azure SDK's HTTP pipeline, so Graph calls get
 * the same bearer-token policy, TLS options and 429/5xx retries (Retry-After honoured) as the
 * ARM clients. The two or three calls acrbot makes do not justify the Graph SDK.
 */
import type { TokenCredential } from '@azure/core-auth';
import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  type HttpClient,
  type Pipeline,
} from '@azure/core-rest-pipeline';

/** Graph connection settings. */
export interface GraphConnection {
  /** Base URL without `/v1.0`, e.g. https://graph.microsoft.com. */
  endpoint: string;
  credential: TokenCredential;
  /** PEM of a CA to trust (sandbox). */
  caPem?: string;
}

/** An error answer from Graph, by code (never by message). */
export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly requestId?: string,
  ) {
    super(`Graph ${status} ${code}`);
    this.name = 'GraphError';
  }
}

/** Graph response. */
export interface GraphResponse<T> {
  status: number;
  body: T | undefined;
  requestId?: string;
}

/** Sends JSON requests to Graph. */
export class GraphClient {
  private readonly pipeline: Pipeline;
  private readonly http: HttpClient = createDefaultHttpClient();
  private readonly base: string;

  constructor(connection: GraphConnection) {
    this.base = `${connection.endpoint.replace(/\/+$/, '')}/v1.0`;
    this.pipeline = createPipelineFromOptions({
      ...(connection.caPem ? { tlsOptions: { ca: connection.caPem } } : {}),
      retryOptions: { maxRetries: 3 },
    });
    this.pipeline.addPolicy(
      bearerTokenAuthenticationPolicy({
        credential: connection.credential,
        scopes: `${new URL(connection.endpoint).origin}/.default`,
      }),
    );
  }

  /** `method` on `/v1.0{path}`; throws {@link GraphError} on a non-2xx answer. */
  async request<T>(
    method: 'GET' | 'POST' | 'DELETE' | 'PATCH',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<GraphResponse<T>> {
    const request = createPipelineRequest({
      url: `${this.base}${path}`,
      method,
      headers: createHttpHeaders({ ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const response = await this.pipeline.sendRequest(this.http, request);
    const requestId = response.headers.get('request-id') ?? undefined;
    const parsed = response.bodyAsText ? (JSON.parse(response.bodyAsText) as unknown) : undefined;
    if (response.status >= 300) {
      const code = (parsed as { error?: { code?: string } } | undefined)?.error?.code ?? 'Unknown';
      throw new GraphError(response.status, code, requestId);
    }
    return { status: response.status, body: parsed as T | undefined, requestId };
  }
}

/**
 * ARM requests sent through an Azure SDK client's own pipeline (its bearer-token policy, retries
 * with Retry-After, user agent, client request id, tracing, shared keep-alive agent) without the
 * SDK's operation layer. That layer (URL templates, operation specs, model (de)serialisation
 * against the SDKs' large mappers, paging helpers) cost as much bot CPU as the HTTPS exchange
 * itself: 7 ARM calls of a grant flow took ~3 ms through the SDK operations and ~1.5 ms this way
 * (docs/performance.md, P8). Answers are read as ARM's JSON (properties nested, see arm-wire.ts).
 *
 * Failures keep the SDK's shape: a `RestError` with `statusCode`, the ARM error `code` and the
 * response (so `x-ms-request-id` is there), as the SDK operations throw it.
 */
import type * as RestPipeline from '@azure/core-rest-pipeline';
import type { HttpClient, Pipeline, PipelineResponse } from '@azure/core-rest-pipeline';
import { sharedHttpClient } from '../http/pooled-http-client';
import { NextLinkGuard } from './arm-next-link';

/** The api-versions the pinned SDKs send for these operations (test/sandbox/arm-rest.test.ts compares). */
export const ARM_API_VERSIONS = {
  containerService: '2026-04-01',
  containerRegistry: '2025-11-01',
  authorization: '2022-04-01',
} as const;

/** A page of an ARM listing. */
interface ArmPage<T> {
  value?: T[];
  nextLink?: string | null;
}

/** ARM's error envelope. */
interface ArmErrorBody {
  error?: { code?: string; message?: string };
}

let shared: { rest: typeof RestPipeline; http: HttpClient } | undefined;

/** The pipeline package and the process's pooled HTTP client (see pooled-http-client.ts) for every ArmRest. */
function transport(): { rest: typeof RestPipeline; http: HttpClient } {
  if (!shared) {
    // Loaded on first use, like the SDKs themselves (P5).
    const rest = require('@azure/core-rest-pipeline') as typeof RestPipeline;
    shared = { rest, http: sharedHttpClient() };
  }
  return shared;
}

/** JSON requests to one ARM endpoint over a given SDK client's pipeline. */
export class ArmRest {
  private readonly base: string;
  /** The only origin a nextLink may point to. */
  private readonly origin: string;

  constructor(
    endpoint: string,
    private readonly pipeline: Pipeline,
    private readonly apiVersion: string,
    /** The HTTP client to send on; default the process's pooled client (the connection's, see `ArmConnection`). */
    private readonly http?: HttpClient,
  ) {
    this.base = endpoint.replace(/\/+$/, '');
    this.origin = new URL(this.base).origin;
  }

  /** GET `path` (starting with `/`); `query` values are encoded here. */
  async get<T>(path: string, query: Record<string, string> = {}): Promise<T> {
    return (await this.send('GET', this.url(path, query))) as T;
  }

  /**
   * Every item of a listing, following `nextLink` (absolute, kept verbatim as the SDKs do). Each
   * nextLink is checked before it is asked for ({@link NextLinkGuard}: this endpoint's origin
   * only, no loop, a cap on pages); otherwise the listing fails, naming `path`.
   */
  async list<T>(path: string, query: Record<string, string> = {}): Promise<T[]> {
    const out: T[] = [];
    let url: string | undefined = this.url(path, query);
    const links = new NextLinkGuard(`ARM listing ${path}`, url);
    while (url) {
      const page = (await this.send('GET', url)) as ArmPage<T> | undefined;
      for (const item of page?.value ?? []) out.push(item);
      url = page?.nextLink ? links.follow(page.nextLink, this.origin, this.withApiVersion(page.nextLink)) : undefined;
    }
    return out;
  }

  /** PUT `body` as JSON to `path`; resolves the answer and its `x-ms-request-id`. */
  async put<T>(path: string, body: unknown): Promise<{ body: T; requestId?: string }> {
    let requestId: string | undefined;
    const answer = await this.send('PUT', this.url(path, {}), body, (r) => {
      requestId = r.headers.get('x-ms-request-id') ?? undefined;
    });
    return { body: answer as T, requestId };
  }

  private url(path: string, query: Record<string, string>): string {
    let url = `${this.base}${path}?api-version=${this.apiVersion}`;
    for (const [k, v] of Object.entries(query)) url += `&${k}=${encodeURIComponent(v)}`;
    return url;
  }

  /** A nextLink without an api-version gets this client's (the modular SDKs do the same). */
  private withApiVersion(link: string): string {
    return /[?&]api-version=/.test(link)
      ? link
      : `${link}${link.includes('?') ? '&' : '?'}api-version=${this.apiVersion}`;
  }

  private async send(
    method: 'GET' | 'PUT',
    url: string,
    body?: unknown,
    onResponse?: (r: PipelineResponse) => void,
  ): Promise<unknown> {
    const { rest, http } = transport();
    const request = rest.createPipelineRequest({
      url,
      method,
      headers: rest.createHttpHeaders(
        body === undefined
          ? { accept: 'application/json' }
          : { accept: 'application/json', 'content-type': 'application/json' },
      ),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const response = await this.pipeline.sendRequest(this.http ?? http, request);
    onResponse?.(response);
    const parsed = parseBody(response);
    if (parsed === NOT_JSON) {
      // A success that is not JSON is a broken answer; an error's page (a proxy's) leaves the status to speak.
      if (response.status < 300)
        throw new rest.RestError('ARM answered with a body that is not JSON', {
          code: 'PARSE_ERROR',
          statusCode: response.status,
          request,
          response,
        });
    }
    if (response.status >= 300) {
      const error = (parsed as ArmErrorBody | undefined)?.error;
      throw new rest.RestError(error?.message ?? `Unexpected status code: ${response.status}`, {
        code: error?.code,
        statusCode: response.status,
        request,
        response,
      });
    }
    return parsed === NOT_JSON ? undefined : parsed;
  }
}

const NOT_JSON = Symbol('not JSON');

/**
 * The answer's JSON (undefined when empty, NOT_JSON when unreadable). A classic SDK client's
 * pipeline (arm-authorization) has already parsed it into `parsedBody`; the modular clients'
 * pipelines leave it as text.
 */
function parseBody(response: PipelineResponse): unknown {
  const parsed = (response as { parsedBody?: unknown }).parsedBody;
  if (parsed !== undefined) return parsed;
  if (!response.bodyAsText) return undefined;
  try {
    return JSON.parse(response.bodyAsText) as unknown;
  } catch {
    return NOT_JSON; // the caller decides by status
  }
}

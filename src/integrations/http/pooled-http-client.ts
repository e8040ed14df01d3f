/**
 * The HTTP client under every Azure SDK pipeline acrbot sends through (ARM, Graph, Azure Tables,
 * the audit anchor blobs, the Bot Connector, and the token requests of the Azure credential and
 * of the bot's own token): ordinary requests go over undici's connection pools, anything unusual
 * goes to the SDK's own Node client unchanged but for a bound on the wait for its answer.
 *
 * Why: Node's `http` client and the SDK's wrapper around it were the largest single cost of the
 * bot's outbound calls in the profile of 200 simultaneous grant flows. Through an SDK pipeline an
 * ARM call costs about 45–60 µs less CPU with the pools than with `createDefaultHttpClient()`, a
 * Bot Connector call 30–60 µs less; a grant flow makes about 12 such calls
 * (bench/tools/http-client-cpu.ts; docs/performance.md, round eight).
 *
 * What stays the SDK's: the pipeline around this client (bearer token, retries with Retry-After,
 * user agent, client request id, decompression request, tracing) runs as before. Errors keep the
 * Node client's shape: a `RestError` whose `code` is the system error code the SDK's retry policy
 * looks for (undici's "other side closed" is `ECONNRESET`, its timeouts `ETIMEDOUT`), with
 * undici's error as `cause`; an aborted or timed-out request rejects with an `AbortError`. A gzip
 * or deflate answer to a request that asked for one (the pipelines ask on every request) is
 * decompressed, as the Node client does.
 *
 * Which requests take the pools: a string or Buffer body (or none), no progress callbacks, no
 * streamed response, no per-request proxy, TLS or request overrides, keep-alive allowed, not
 * HEAD, and either no agent (then the default trust store, as the Node client), an agent
 * registered with {@link sendOnPools}, whose CA the pool then trusts, or the agent the SDK's proxy
 * policy set for the same proxy this client uses (see below). Any other agent means the caller
 * wanted that agent: the request goes to the Node client. TLS verification is never relaxed: a
 * pool trusts the Node defaults or exactly the registered CA, through a proxy as without one.
 *
 * Outbound proxy (HTTPS_PROXY, NO_PROXY …; outbound-proxy.ts): this client decides for every
 * request it sends on its pools, and tunnels through the proxy with undici's `ProxyAgent` (one
 * CONNECT per pooled connection, so connections are still reused). Deciding here, rather than
 * leaving it to the SDK's proxy policy, is what makes ARM and Graph go through the proxy at all:
 * their requests carry acrbot's keep-alive agent, and the SDK's policy never replaces an agent a
 * request already has (and botbuilder's compat layer drops the agent it sets on Bot Connector
 * calls, so those arrive with none). The requests that do arrive with the policy's proxy agent
 * (Azure Tables') take the pools too when that agent names this client's proxy, so they get the
 * answer timeout instead of the Node client's none. undici's `EnvHttpProxyAgent`
 * is not used: it reads NO_PROXY with other rules (ports, `*`) and HTTP_PROXY for http targets,
 * so the SDK and the pools could disagree about a host. What still goes to the Node client while
 * a proxy applies gets the SDK's own proxy agent for it (which trusts the Node defaults and
 * NODE_EXTRA_CA_CERTS, not a registered CA; none of acrbot's registered-agent requests go there),
 * and, without a timeout of its own, the answer timeout as one (see {@link sendOnNode}).
 */
import type * as AbortModule from '@azure/abort-controller';
import type { HttpClient, PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';
import type * as RestPipeline from '@azure/core-rest-pipeline';
import type { Agent as NodeAgent } from 'node:http';
import { type OutboundProxy, proxies, proxyFromEnvironment, withLoopbackDirect } from './outbound-proxy';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import type * as Undici from 'undici';

/**
 * Connections per origin at most, for the pools and for acrbot's Node agents alike. A burst of
 * concurrent flows then queues on warm connections instead of opening (and TLS-handshaking) one
 * per request in flight, which is also what ARM's and Graph's throttling prefer
 * (docs/performance.md, P8).
 */
export const MAX_CONNECTIONS_PER_ORIGIN = 32;

/**
 * Longest wait for an answer's headers, and between two pieces of its body, before the request
 * fails as ETIMEDOUT (which the SDK's retry policy retries). undici's default is 300 s: a hung
 * ARM, Graph or Tables front end then held a run "executing" for up to 20 minutes over the
 * pipeline's retries. Azure's synchronous APIs answer or time out well within this.
 */
export const ANSWER_TIMEOUT_MS = 60_000;

/** What a pool needs to know of a registered Node agent. */
export interface PoolSettings {
  /** PEM of the CA this agent trusts instead of the defaults (sandbox emulators). */
  ca?: string;
}

/** Node agents whose requests may take the pools, with the trust each carries. */
const registered = new WeakMap<NodeAgent, PoolSettings>();

/**
 * Lets requests that carry `agent` take the pools, trusting `settings.ca` (or the defaults).
 * Only register an agent whose only TLS setting is that CA: the pool copies nothing else.
 */
export function sendOnPools(agent: NodeAgent, settings: PoolSettings): void {
  registered.set(agent, settings);
}

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);

/** Headers undici refuses to send on a request (hop-by-hop; it manages them itself). */
const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'expect', 'te'] as const;

/** undici's error codes that mean what these system errors mean to the SDK's retry policy. */
const SYSTEM_CODES: Record<string, string> = {
  UND_ERR_SOCKET: 'ECONNRESET',
  UND_ERR_CLOSED: 'ECONNRESET',
  UND_ERR_CONNECT_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_HEADERS_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_BODY_TIMEOUT: 'ETIMEDOUT',
};

type Libraries = { undici: typeof Undici; rest: typeof RestPipeline; AbortError: typeof AbortModule.AbortError };
let libraries: Libraries | undefined;

/** undici (~80 ms to load) and the pipeline package, loaded with the first request, not at start (P5). */
function load(): Libraries {
  libraries ??= {
    undici: require('undici') as typeof Undici,
    rest: require('@azure/core-rest-pipeline') as typeof RestPipeline,
    AbortError: (require('@azure/abort-controller') as typeof AbortModule).AbortError,
  };
  return libraries;
}

/**
 * undici's default for opening a connection (TCP and TLS), kept as the most a tunnel's TLS
 * handshake may take; a shorter answer timeout (tests) shortens it too.
 */
const CONNECT_TIMEOUT_MS = 10_000;

/** An SDK `HttpClient` that sends ordinary requests over undici pools and the rest through `fallback`. */
export class PooledHttpClient implements HttpClient {
  /** One undici dispatcher (a pool per origin) per trust setting and route (direct or proxied). */
  private readonly pools = new Map<string, Undici.Dispatcher>();
  /** The SDK's proxy policy with this client's settings, for what goes to `fallback` (see {@link sendOnNodeThroughProxy}). */
  private nodeProxyPolicy?: RestPipeline.PipelinePolicy;

  constructor(
    private readonly fallback: HttpClient,
    /** See {@link ANSWER_TIMEOUT_MS} (tests shorten it); read by the no-answer policy's error (no-answer-policy.ts). */
    readonly answerTimeoutMs = ANSWER_TIMEOUT_MS,
    /**
     * The forward proxy, if any; read from the environment when not given (tests pass it, since
     * the SDK reads NO_PROXY only once per process and the environment is shared).
     */
    private proxy: OutboundProxy | undefined = proxyFromEnvironment(),
  ) {}

  /**
   * Sends requests to loopback hosts directly, whatever NO_PROXY says (sandbox mode: every
   * service acrbot calls listens on this machine, where a forward proxy from the environment,
   * say a corporate laptop's HTTPS_PROXY without a NO_PROXY, cannot reach them).
   */
  reachLoopbackDirectly(): void {
    if (!this.proxy) return;
    this.proxy = withLoopbackDirect(this.proxy);
    this.nodeProxyPolicy = undefined;
  }

  sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
    const settings = this.poolSettings(request);
    return settings ? this.sendOnPool(request, settings) : this.sendOnNode(request);
  }

  /** Closes the pools (idle connections at once, busy ones when their requests end). */
  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.close()));
  }

  /** The pool settings for `request`, or undefined when it must go to the Node client. */
  private poolSettings(request: PipelineRequest): PoolSettings | undefined {
    const body = request.body;
    if (body !== undefined && body !== null && typeof body !== 'string' && !Buffer.isBuffer(body)) return undefined;
    if (
      request.onUploadProgress ||
      request.onDownloadProgress ||
      request.streamResponseStatusCodes?.size ||
      request.proxySettings ||
      request.tlsSettings ||
      request.requestOverrides ||
      request.disableKeepAlive ||
      request.method === 'HEAD'
    )
      return undefined;
    // The Node client refuses plain http without allowInsecureConnection: let it say so.
    if (!request.url.startsWith('https:') && !(request.url.startsWith('http:') && request.allowInsecureConnection))
      return undefined;
    // Six lookups: iterating the request's headers instead cost ~7 µs a call under load.
    for (const name of HOP_BY_HOP) if (request.headers.has(name)) return undefined;
    if (request.agent === undefined) return {};
    return registered.get(request.agent as NodeAgent) ?? (this.isOwnProxyAgent(request.agent) ? {} : undefined);
  }

  /**
   * True for the agent the SDK's proxy policy puts on a request without one (an
   * https-proxy-agent or http-proxy-agent, whose `proxy` is its URL) when it names this client's
   * proxy: the SDK then read the same environment, and the pool tunnels to the same proxy (the
   * NO_PROXY decision is made again in {@link dispatcher}, by the same rules). An agent for any
   * other proxy is the caller's choice and goes to the Node client.
   */
  private isOwnProxyAgent(agent: unknown): boolean {
    const proxy = (agent as { proxy?: unknown }).proxy;
    return this.proxy !== undefined && proxy instanceof URL && proxy.href === this.proxy.url.href;
  }

  /** The dispatcher for `target` with `settings`: through the proxy unless NO_PROXY excludes the host. */
  private dispatcher(settings: PoolSettings, target: URL): Undici.Dispatcher {
    const proxied = this.proxy !== undefined && proxies(this.proxy, target);
    const key = `${proxied ? 'proxy' : 'direct'} ${settings.ca ?? ''}`;
    let pool = this.pools.get(key);
    if (!pool) {
      pool = proxied ? this.proxiedPool(this.proxy!, settings) : this.directPool(settings);
      this.pools.set(key, pool);
    }
    return pool;
  }

  private directPool(settings: PoolSettings): Undici.Dispatcher {
    return new (load().undici.Agent)({
      connections: MAX_CONNECTIONS_PER_ORIGIN,
      headersTimeout: this.answerTimeoutMs,
      bodyTimeout: this.answerTimeoutMs,
      ...(settings.ca ? { connect: { ca: settings.ca } } : {}),
    });
  }

  /**
   * Pools that reach each origin through a CONNECT tunnel. Every wait has a bound: the proxy's
   * answer to CONNECT (its own pool's headers timeout: undici's default would wait 300 s on a
   * proxy that accepted the connection and said nothing), the TLS handshake inside the tunnel,
   * and the target's answer, each failing as ETIMEDOUT for the SDK's retry policy. The target's
   * certificate is checked as without a proxy (`requestTls`: the registered CA or the defaults);
   * the proxy's own, for an https:// proxy, against the Node defaults. undici sends the URL's
   * credentials as `Proxy-Authorization: Basic`.
   */
  private proxiedPool(proxy: OutboundProxy, settings: PoolSettings): Undici.Dispatcher {
    const { undici } = load();
    const timeouts = { headersTimeout: this.answerTimeoutMs, bodyTimeout: this.answerTimeoutMs };
    const connectTimeout = Math.min(this.answerTimeoutMs, CONNECT_TIMEOUT_MS);
    return new undici.ProxyAgent({
      uri: proxy.url.href,
      connections: MAX_CONNECTIONS_PER_ORIGIN,
      ...timeouts,
      requestTls: { timeout: connectTimeout, ...(settings.ca ? { ca: settings.ca } : {}) },
      proxyTls: { timeout: connectTimeout },
      clientFactory: (origin, options) => new undici.Pool(origin, { ...options, ...timeouts }),
    });
  }

  /**
   * A request the pools do not take goes to the Node client, with the same bound on the wait for
   * its answer: without a timeout of its own, a request that has no answer (headers, or the whole
   * body unless it is streamed) within {@link answerTimeoutMs} is aborted and fails as ETIMEDOUT,
   * as on the pools. The bound is this client's own timer and abort signal, not `request.timeout`:
   * the SDK's Node client leaves that timer running when a request fails, which held a stopping
   * process open for the whole timeout.
   */
  private async sendOnNode(request: PipelineRequest): Promise<PipelineResponse> {
    if (request.timeout > 0) return this.sendOnNodeThroughProxy(request);
    const callerSignal = request.abortSignal;
    const controller = new AbortController();
    const onAbort = (): void => controller.abort();
    callerSignal?.addEventListener('abort', onAbort);
    if (callerSignal?.aborted) controller.abort();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.answerTimeoutMs);
    request.abortSignal = controller.signal;
    let stream: NodeJS.ReadableStream | undefined;
    try {
      const response = await this.sendOnNodeThroughProxy(request);
      stream = response.readableStreamBody;
      return response;
    } catch (err) {
      if (!timedOut) throw err;
      const timeout = new Error(`no answer within ${this.answerTimeoutMs} ms`, { cause: err });
      throw sendError(load().rest, Object.assign(timeout, { code: 'ETIMEDOUT' }), request);
    } finally {
      clearTimeout(timer);
      // The caller's signal is put back (a retry sends the same request object); it still ends
      // a streamed body until that body is read or dropped.
      request.abortSignal = callerSignal;
      const forget = (): void => callerSignal?.removeEventListener('abort', onAbort);
      if (stream) stream.once('close', forget);
      else forget();
    }
  }

  /**
   * When this client's proxy applies to `request` and no proxy agent is on it yet (it carries
   * acrbot's registered agent, or none because the SDK's policy read no proxy), the SDK's proxy
   * policy, built from this client's settings, puts its agent on it first, so it does not bypass
   * the proxy.
   */
  private async sendOnNodeThroughProxy(request: PipelineRequest): Promise<PipelineResponse> {
    const proxy = this.proxy;
    const agent = request.agent;
    const needsProxy =
      proxy !== undefined &&
      !request.proxySettings &&
      (agent === undefined || registered.has(agent as NodeAgent)) &&
      proxies(proxy, new URL(request.url));
    if (!needsProxy) return this.fallback.sendRequest(request);
    if (!this.nodeProxyPolicy) {
      const { rest } = load();
      const { protocol, hostname, port, username, password } = proxy.url;
      // Not the SDK's getDefaultProxySettings: it takes port 80 for an https:// proxy without one.
      const settings = { host: `${protocol}//${hostname}`, port: Number(port || (protocol === 'https:' ? 443 : 80)) };
      this.nodeProxyPolicy = rest.proxyPolicy(
        { ...settings, ...(username ? { username, password } : {}) },
        { customNoProxyList: [...proxy.noProxy] },
      );
    }
    // The policy sets its agent only on a request without one; the registered agent is put
    // back afterwards, for a retry of the same request object.
    request.agent = undefined;
    try {
      return await this.nodeProxyPolicy.sendRequest(request, (r) => this.fallback.sendRequest(r));
    } finally {
      request.agent = agent;
    }
  }

  private async sendOnPool(request: PipelineRequest, settings: PoolSettings): Promise<PipelineResponse> {
    const { rest, AbortError } = load();
    if (request.abortSignal?.aborted)
      throw new AbortError('The operation was aborted. Request has already been canceled.');
    const abort = cancellation(request);
    const url = new URL(request.url);
    try {
      const answer = await this.dispatcher(settings, url).request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: request.method,
        headers: request.headers.toJSON({ preserveCase: true }),
        body: request.body as string | Buffer | undefined,
        signal: abort?.signal,
      });
      const headers = rest.createHttpHeaders();
      for (const name in answer.headers) {
        const value = answer.headers[name];
        // As the Node client: the first of a repeated header (set-cookie), nothing for an empty one.
        if (Array.isArray(value)) {
          if (value.length > 0) headers.set(name, value[0]!);
        } else if (value) headers.set(name, value);
      }
      const bodyAsText = await bodyText(answer.body, request, headers.get('content-encoding'));
      return { status: answer.statusCode, headers, request, bodyAsText };
    } catch (err) {
      if (abort?.signal.aborted)
        throw new AbortError('The operation was aborted. Rejecting from abort signal callback while making request.');
      throw sendError(rest, err, request);
    } finally {
      abort?.dispose();
    }
  }
}

/**
 * The answer's body as text, decompressed as the Node client decompresses it: only when the
 * request asked for compression, and only gzip or deflate (anything else is read as it is).
 */
async function bodyText(
  body: Undici.Dispatcher.ResponseData['body'],
  request: PipelineRequest,
  encoding: string | undefined,
): Promise<string> {
  const asked = request.headers.get('accept-encoding');
  const decompress = asked && /gzip|deflate/.test(asked) && (encoding === 'gzip' || encoding === 'deflate');
  if (!decompress) return body.text();
  const compressed = Buffer.from(await body.arrayBuffer());
  return (await (encoding === 'gzip' ? gunzip(compressed) : inflate(compressed))).toString('utf8');
}

/** An abort signal for the request's own signal and its timeout, if it has either. */
function cancellation(request: PipelineRequest): { signal: AbortSignal; dispose(): void } | undefined {
  if (!request.abortSignal && !(request.timeout > 0)) return undefined;
  const controller = new AbortController();
  const onAbort = (): void => controller.abort();
  request.abortSignal?.addEventListener('abort', onAbort);
  const timer = request.timeout > 0 ? setTimeout(onAbort, request.timeout) : undefined;
  return {
    signal: controller.signal,
    dispose: () => {
      if (timer) clearTimeout(timer);
      request.abortSignal?.removeEventListener('abort', onAbort);
    },
  };
}

/** undici's failure as the Node client reports one: a RestError with the system error's code. */
function sendError(rest: typeof RestPipeline, err: unknown, request: PipelineRequest): Error {
  const e = err as { code?: string; message?: string };
  const code = (e.code && SYSTEM_CODES[e.code]) ?? e.code ?? rest.RestError.REQUEST_SEND_ERROR;
  const error = new rest.RestError(e.message ?? String(err), { code, request });
  // As `new Error(message, { cause })` would have it (RestError's options take no cause).
  Object.defineProperty(error, 'cause', { value: err, enumerable: false, writable: true, configurable: true });
  return error;
}

let shared: PooledHttpClient | undefined;
let sharedLoopbackDirect = false;

/** The process's one pooled client (over the SDK's default client for the rest). */
export function sharedHttpClient(): PooledHttpClient {
  if (!shared) {
    shared = new PooledHttpClient(
      (require('@azure/core-rest-pipeline') as typeof RestPipeline).createDefaultHttpClient(),
    );
    if (sharedLoopbackDirect) shared.reachLoopbackDirectly();
  }
  return shared;
}

/**
 * The shared client sends requests to loopback hosts directly (see
 * {@link PooledHttpClient.reachLoopbackDirectly}), from now on or from its creation: the client
 * and the SDK it loads are not made at start for this (P5).
 */
export function sharedClientReachesLoopbackDirectly(): void {
  sharedLoopbackDirect = true;
  shared?.reachLoopbackDirectly();
}

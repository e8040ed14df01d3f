/**
 * MSAL's network module (`system.networkClient`) over an Azure SDK `HttpClient`, so the bot's
 * own Bot Framework token requests (authority metadata GETs, the client-credentials POST) go
 * over the process's pooled client like every other Azure call: through the outbound proxy when
 * outbound-proxy.ts says so (NO_PROXY included), with its bounded waits. MSAL's own client reads
 * no HTTPS_PROXY (only `system.proxyUrl`, without NO_PROXY) and waits for a token answer without
 * end. @azure/identity's credentials hand MSAL their pipeline the same way (its IdentityClient).
 *
 * A failure to send becomes an MSAL `AuthError` naming the host and the system error (ETIMEDOUT,
 * a proxy's 407): MSAL passes an AuthError on as it is, and replaces anything else with a bare
 * "network_error". The request is never put into it: its body holds the client secret.
 */
import type { HttpClient } from '@azure/core-rest-pipeline';
import type * as RestPipeline from '@azure/core-rest-pipeline';
import type { Agent } from 'node:https';

/** MSAL's `NetworkRequestOptions` (msal-common). */
export interface NetworkRequestOptions {
  headers?: Record<string, string>;
  body?: string;
}

/** MSAL's `NetworkResponse` (msal-common). */
export interface NetworkResponse<T> {
  headers: Record<string, string>;
  body: T;
  status: number;
}

/** Builds the error MSAL passes on unchanged (its `AuthError`, from the MSAL that will see it). */
export type AuthErrorFactory = (code: string, message: string) => Error;

/** MSAL's `INetworkModule`, sending through `http`. */
export class MsalNetworkClient {
  constructor(
    private readonly http: HttpClient,
    private readonly authError: AuthErrorFactory,
    /** An agent registered with `sendOnPools` whose CA the pools then trust (the sandbox's emulators). */
    private readonly agent?: Agent,
  ) {}

  /** Built with the first request (see {@link tracedPipeline}). */
  private pipeline?: RestPipeline.Pipeline;

  /**
   * The SDK's tracing policy alone: with telemetry on, each token request is a dependency like
   * every other Azure call (its URL, never its body, which holds the secret:
   * test/integration/telemetry.test.ts); without it, no span is made.
   */
  private tracedPipeline(rest: typeof RestPipeline): RestPipeline.Pipeline {
    if (!this.pipeline) {
      this.pipeline = rest.createEmptyPipeline();
      this.pipeline.addPolicy(rest.tracingPolicy());
    }
    return this.pipeline;
  }

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    return this.send<T>('GET', url, options, timeout);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>('POST', url, options);
  }

  private async send<T>(
    method: 'GET' | 'POST',
    url: string,
    options: NetworkRequestOptions = {},
    timeout?: number,
  ): Promise<NetworkResponse<T>> {
    // Loaded with the adapter: botbuilder has loaded it already.
    const rest = require('@azure/core-rest-pipeline') as typeof RestPipeline;
    const request = rest.createPipelineRequest({
      url,
      method,
      headers: rest.createHttpHeaders(options.headers),
      body: options.body,
      // MSAL passes a timeout for its region discovery GET only.
      ...(timeout ? { timeout } : {}),
    });
    // Not an option of createPipelineRequest.
    if (this.agent) request.agent = this.agent;
    let response;
    try {
      response = await this.tracedPipeline(rest).sendRequest(this.http, request);
    } catch (err) {
      const e = err as { code?: string; message?: string };
      throw this.authError(
        'network_error',
        `the bot token request to ${new URL(url).host} failed: ${e.code ?? 'no answer'} (${e.message ?? String(err)})`,
      );
    }
    return { status: response.status, headers: response.headers.toJSON(), body: parsedBody<T>(response) };
  }
}

/**
 * The answer's JSON, or (a proxy's or gateway's HTML page, an empty body) an OAuth error object
 * saying what came back, as MSAL's own client makes one.
 */
function parsedBody<T>(response: { status: number; bodyAsText?: string | null }): T {
  try {
    return JSON.parse(response.bodyAsText ?? '') as T;
  } catch {
    const { status } = response;
    const error = status >= 500 ? 'server_error' : status >= 400 ? 'client_error' : 'unknown_error';
    return { error, error_description: `HTTP ${status} with a body that is not JSON` } as T;
  }
}

/**
 * Hands the Bot Connector clients an Azure SDK `HttpClient` (the process's pooled one) in the
 * shape botbuilder asks for. `ConnectorClientOptions.httpClient` is a core-http-compat
 * `RequestPolicy` (`WebResourceLike` in, `CompatResponse` out), which botbuilder-stdlib wraps
 * with core-http-compat's `convertHttpClient` before core-client's pipeline uses it. So each call
 * arrives here as a `WebResourceLike` and leaves as a compat response.
 *
 * The request is rebuilt field by field as core-http-compat's own `toPipelineRequest` rebuilds
 * one (including its `keepAlive` field, which carries `disableKeepAlive`). The compat response
 * keeps the `WebResourceLike` it was given as its request: `convertHttpClient` turns that back
 * into core-client's original request, which carries the operation's spec, so the response is
 * deserialised as before. test/unit/lean-conversations.test.ts runs the calls through it.
 */
import type { HttpClient, PipelineResponse } from '@azure/core-rest-pipeline';
import type * as RestPipeline from '@azure/core-rest-pipeline';
import type { CompatResponse, RequestPolicy, WebResourceLike } from '@azure/core-http-compat';
import type * as HttpCompat from '@azure/core-http-compat';

/** `client` as the compat HTTP client botbuilder's connector clients take. */
export function connectorHttpClient(client: HttpClient): RequestPolicy {
  // Loaded with the adapter: botbuilder has loaded both already.
  const rest = require('@azure/core-rest-pipeline') as typeof RestPipeline;
  const compat = require('@azure/core-http-compat') as typeof HttpCompat;
  return {
    async sendRequest(resource: WebResourceLike): Promise<CompatResponse> {
      const request = rest.createPipelineRequest({
        url: resource.url,
        method: resource.method,
        headers: rest.createHttpHeaders(resource.headers.toJson({ preserveCase: true })),
        withCredentials: resource.withCredentials,
        timeout: resource.timeout,
        requestId: resource.requestId,
        abortSignal: resource.abortSignal,
        body: resource.body,
        formData: resource.formData,
        disableKeepAlive: Boolean(resource.keepAlive),
        onDownloadProgress: resource.onDownloadProgress,
        onUploadProgress: resource.onUploadProgress,
        proxySettings: resource.proxySettings,
        streamResponseStatusCodes: resource.streamResponseStatusCodes,
        agent: resource.agent,
        requestOverrides: resource.requestOverrides,
        // A WebResourceLike has no such field; botbuilder allows plain http exactly for an http
        // service URL (botbuilder-stdlib's ServiceClientContext), so the same rule here.
        allowInsecureConnection: resource.url.toLowerCase().startsWith('http:'),
      });
      const response: PipelineResponse = await client.sendRequest(request);
      return { ...response, headers: compat.toHttpHeadersLike(response.headers), request: resource };
    },
  };
}

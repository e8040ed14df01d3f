/**
 * An Azure SDK `HttpClient` (the process's pooled one) in the shape of the SDKs that still take a
 * core-http-compat `RequestPolicy` as their `httpClient` (@azure/storage-blob's
 * `StoragePipelineOptions`). Such an SDK wraps it with core-http-compat's `convertHttpClient`, so
 * each request arrives here as a `WebResourceLike` and must leave as a compat response.
 *
 * The request is rebuilt field by field as core-http-compat's own `toPipelineRequest` rebuilds
 * one (including its `keepAlive` field, which carries `disableKeepAlive`), so the pooled client
 * sees what the SDK's pipeline made: the proxy agent its proxy policy set (the pools take it,
 * with the answer timeout; outbound-proxy.ts), a streamed answer (the Node client sends it). The
 * compat response keeps the `WebResourceLike` it was given as its request: `convertHttpClient`
 * turns that back into the SDK's original request, which carries the operation's spec, so the
 * answer is deserialised as before. The Bot Connector clients take it too
 * (src/bot/create-adapter.ts): botbuilder allows plain http exactly for an http service URL
 * (botbuilder-stdlib's ServiceClientContext), the same rule as below.
 */
import type { HttpClient, PipelineResponse } from '@azure/core-rest-pipeline';
import type * as RestPipeline from '@azure/core-rest-pipeline';
import type { CompatResponse, RequestPolicy, WebResourceLike } from '@azure/core-http-compat';
import type * as HttpCompat from '@azure/core-http-compat';

/**
 * `client` as a compat `RequestPolicy`. A `WebResourceLike` does not say whether plain http is
 * allowed: Azure Storage allows it on every request (its pipeline sets `allowInsecureConnection`
 * for the client; the bearer-token policy still refuses a token over http), so the same here.
 */
export function compatHttpClient(client: HttpClient): RequestPolicy {
  // Loaded with the SDK (or botbuilder) that asks for this: it has loaded both already.
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
        allowInsecureConnection: resource.url.toLowerCase().startsWith('http:'),
      });
      const response: PipelineResponse = await client.sendRequest(request);
      return { ...response, headers: compat.toHttpHeadersLike(response.headers), request: resource };
    },
  };
}

/**
 * The ids Graph's answers carry, as Graph's support looks a call up by them (CONTRACTS §4), read
 * from an answer's headers or its error body. They go into the sentences people read and into the
 * request's record and audit, so only values of the shape Graph writes are taken. (Ids checked
 * before they go into a URL are graph-ids.ts's.)
 */
import type { PipelineResponse } from '@azure/core-rest-pipeline';

/**
 * What Graph's support looks a call up by (CONTRACTS §4): `request-id`, `client-request-id` (the
 * one acrbot sent, as Graph echoes it; the sent one when no answer names it) and the answer's
 * `date`.
 */
export interface GraphRequestIds {
  requestId?: string;
  clientRequestId?: string;
  /** The error's `innerError.date`, as Graph writes it (UTC, no zone: `2022-05-20T17:00:59`). */
  date?: string;
}

/**
 * An id or date as Graph writes them (GUIDs, `2022-05-20T17:00:59`): they go into the sentences
 * people read, so anything else in their place (a proxy's header, say) is not taken.
 */
const GRAPH_ID = /^[A-Za-z0-9][A-Za-z0-9.:_-]{0,99}$/;

/** True for a value of {@link GRAPH_ID}'s shape; Graph's error codes (`Request_ResourceNotFound`) have it too. */
export function isGraphId(value: unknown): value is string {
  return typeof value === 'string' && GRAPH_ID.test(value);
}

/** `value` when it has the shape of {@link GRAPH_ID}, else undefined. */
export function graphId(value: unknown): string | undefined {
  return isGraphId(value) ? value : undefined;
}

/**
 * Graph's ids of an answer: its `request-id` and `client-request-id` headers, else those of the
 * error body's `innerError` (where Graph puts them too, and where they survive a proxy or gateway
 * that drops the headers), and `innerError.date`. `sent`: the client-request-id acrbot sent, for
 * an answer that names none (a gateway's 502 page, say). Graph's echo is taken first: should
 * something on the way have replaced acrbot's, the echoed one is the one Graph logged.
 */
export function graphIds(response: PipelineResponse, parsed: unknown, sent: string): GraphRequestIds {
  const inner = (parsed as { error?: { innerError?: Record<string, unknown> } } | undefined)?.error?.innerError;
  return {
    requestId: graphId(response.headers.get('request-id')) ?? graphId(inner?.['request-id']),
    clientRequestId:
      graphId(response.headers.get('client-request-id')) ?? graphId(inner?.['client-request-id']) ?? sent,
    date: graphId(inner?.date),
  };
}

/**
 * How a Microsoft Graph call fails. The client throws a {@link GraphError} for an error answer
 * and a {@link GraphUnconfirmedError} for a call sent with no answer known; callers turn either
 * into the ports' {@link CloudApiError} with {@link graphFailure}, keeping Graph's ids: the request
 * id in `requestId` as ARM's is, and what says it is Graph's (`service`) with the rest of what
 * Graph's support asks for (`clientRequestId`, `date`). The failure sentences name them as
 * Graph's (flows/azure-failure-text.ts), and the log line has them as the error's own fields.
 */
import { CloudApiError } from '../../domain/ports';
import type { GraphRequestIds } from './graph-answer-ids';

/**
 * The `service` of a {@link GraphCloudApiError} and a {@link GraphError}, which
 * flows/azure-failure-text.ts and the outage summary (outage-report-failure.ts) read.
 */
export const GRAPH_SERVICE = 'Microsoft Graph';

/** An error answer from Graph, by code (never by message). */
export class GraphError extends Error {
  /**
   * Graph's, as a {@link GraphCloudApiError} says: a reader down the causes that finds the status
   * here (a port error that hides it, {@link graphFailure}'s `keepStatus`) names the right service.
   */
  readonly service = GRAPH_SERVICE;
  /** Graph's `client-request-id` of the failed call (see {@link GraphRequestIds}). */
  readonly clientRequestId?: string;
  /** Graph's `innerError.date` of the failed call (see {@link GraphRequestIds}). */
  readonly date?: string;

  constructor(
    readonly status: number,
    readonly code: string,
    /** Graph's `request-id` (header, else `innerError`): what Graph's support asks for. */
    readonly requestId?: string,
    /**
     * Graph's own `error.message`, cut short by the client (`SERVICE_MESSAGE_MAX`, graph-client.ts):
     * one code covers cases a caller must tell apart (400 `Request_BadRequest` is both "not
     * replicated yet" and a request that will never work). Graph's text, never the request's.
     */
    readonly serviceMessage?: string,
    /**
     * `detail`: added to the message (acrbot's words, never the request's); `cause`: the error
     * behind it; `ids`: Graph's other ids of the call.
     */
    options: { detail?: string; cause?: unknown; ids?: Omit<GraphRequestIds, 'requestId'> } = {},
  ) {
    super(
      options.detail ? `Graph ${status} ${code}: ${options.detail}` : `Graph ${status} ${code}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'GraphError';
    // Own properties only when known: the log line (which writes them all) stays short.
    if (options.ids?.clientRequestId) this.clientRequestId = options.ids.clientRequestId;
    if (options.ids?.date) this.date = options.ids.date;
  }
}

/**
 * A Graph call whose outcome acrbot does not know: it was sent, and no answer came (connection
 * refused or reset, the answer timeout: the `cause` says which), or a success whose body is not
 * JSON. Graph may have done what it was asked. No status (no answer a caller can act on); the
 * ids Graph's support looks the call up by: the `client-request-id` acrbot sent, and Graph's
 * `request-id` when an answer came.
 */
export class GraphUnconfirmedError extends Error {
  readonly clientRequestId: string;
  readonly requestId?: string;

  constructor(message: string, ids: { clientRequestId: string; requestId?: string }, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'GraphUnconfirmedError';
    this.clientRequestId = ids.clientRequestId;
    if (ids.requestId) this.requestId = ids.requestId;
  }
}

/** A {@link CloudApiError} from Microsoft Graph, with Graph's ids (CONTRACTS §4). */
export class GraphCloudApiError extends CloudApiError {
  readonly service = GRAPH_SERVICE;
  /** The `client-request-id` acrbot sent, as Graph echoed it: known even when no answer came. */
  readonly clientRequestId?: string;
  /** Graph's `innerError.date` (UTC). */
  readonly date?: string;

  constructor(code: string, statusCode: number | undefined, message: string, from: GraphRequestIds) {
    super(code, statusCode, message, from.requestId);
    this.name = 'GraphCloudApiError';
    if (from.clientRequestId) this.clientRequestId = from.clientRequestId;
    if (from.date) this.date = from.date;
  }
}

/**
 * `err` (a Graph call's failure) as a {@link CloudApiError} whose message is `message`, the
 * original kept as its `cause`. A {@link GraphError} keeps its code and Graph's ids, and its status
 * unless `keepStatus` is false (a read whose failure is not the refusal of the write before it);
 * anything else (no answer came) is `Unknown`, with no status, and Graph's ids when the call was
 * sent ({@link GraphUnconfirmedError}: the client-request-id acrbot sent).
 *
 * `keepStatus` false hides the status only from the port error's `statusCode`, which the secret
 * run reads to tell a refused write (nothing created, nothing to clean up) from one that may have
 * gone through: a 404 on the read after an upsert must not pass for the upsert's refusal. Graph's
 * answer stays on the `cause` (status, code, Graph's name), where the outage summary and the log
 * read it: a 503 there is still a passing failure of Microsoft Graph.
 */
export function graphFailure(err: unknown, message: string, keepStatus = true): CloudApiError {
  const error =
    err instanceof GraphError
      ? new GraphCloudApiError(err.code, keepStatus ? err.status : undefined, message, err)
      : err instanceof GraphUnconfirmedError
        ? new GraphCloudApiError('Unknown', undefined, message, err)
        : new CloudApiError('Unknown', undefined, message);
  // As `new Error(message, { cause })` would have it (CloudApiError's constructor takes no options).
  Object.defineProperty(error, 'cause', { value: err, enumerable: false, writable: true, configurable: true });
  return error;
}

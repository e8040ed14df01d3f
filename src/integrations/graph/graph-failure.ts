/**
 * A Microsoft Graph failure as the ports' {@link CloudApiError}, keeping Graph's ids: the request
 * id in `requestId` as ARM's is, and what says it is Graph's (`service`) with the rest of what
 * Graph's support asks for (`clientRequestId`, `date`). The failure sentences name them as
 * Graph's (flows/azure-failure-text.ts), and the log line has them as the error's own fields.
 */
import { CloudApiError } from '../../domain/ports';
import { GraphError, type GraphRequestIds, GraphUnconfirmedError } from './graph-client';

/** The `service` of a {@link GraphCloudApiError}, which flows/azure-failure-text.ts reads. */
export const GRAPH_SERVICE = 'Microsoft Graph';

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

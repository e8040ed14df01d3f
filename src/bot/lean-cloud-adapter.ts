/**
 * botbuilder's CloudAdapter with its HTTP `process()` minus the per-request zod schemas.
 *
 * `CloudAdapter.process(req, res, logic)` builds `z.record(z.unknown())` twice and `z.string()`
 * once per request and parses the whole activity through them (a copy of every key), only to
 * learn that the body is an object and the Authorization header a string. In the heap profile of
 * 200 simultaneous grant flows that was ~45 KiB of garbage per flow (two inbound activities) and
 * ~25 ms of bot CPU per burst (docs/performance.md, P8).
 *
 * For the request acrbot always hands it (a POST whose parsed body is a plain object with a
 * `type`, a string or absent Authorization header, restify's response and a logic function)
 * the same steps run here without the schemas, in botbuilder's order: the activity fix-up
 * (botbuilder's own `validateAndFixActivity`), `processActivity` (the JWT check and the turn),
 * then the invoke response's status and body, or for an error 401 (AuthenticationError, with its
 * message) / 500. The error goes to the `reportError` hook when one is given (acrbot's pino
 * logger, with the turn's correlation id), else to the console as botbuilder does.
 *
 * Three answers differ from botbuilder's on purpose:
 * - a POST whose body is not an activity (not a JSON object, no non-empty string `type`, or a
 *   `channelId` that is not a string, on which botbuilder's token check throws) is a
 *   400 with a sentence saying so. botbuilder answers `{}` with a 500 carrying its internal
 *   error text, before any log line of acrbot's;
 * - a 500 carries `{ error: 'internal', correlationId }`, never the error's message, which can
 *   name hosts, paths or a downstream service's answer. The log line has the same id;
 * - the channel's signing keys or OpenID metadata not loading (an AuthenticationError whose
 *   status is 500) is a 500 reported as an error, not a 401 blamed on the caller's token.
 *
 * Every other call (a web socket upgrade, another method, an unusual header or response) goes to
 * botbuilder's `process()` unchanged. test/unit/lean-cloud-adapter.test.ts runs both on the same
 * requests and compares the answers.
 */
import { type Activity, CloudAdapter, StatusCodes, type TurnContext } from 'botbuilder';
// botbuilder's own activity fix-up (string timestamps → Date, raw copies kept), the step its
// process() applies; not re-exported from the package index.
import { validateAndFixActivity } from 'botbuilder/lib/activityValidator';
import { AuthenticationError } from 'botframework-connector';
import { currentCorrelationId, withCorrelation } from '../observability/correlation';

type Logic = (context: TurnContext) => Promise<void>;

/** What botbuilder's ResponseT requires of a response (restify's, express's and Node's all have it). */
interface HttpResponse {
  end(...args: unknown[]): unknown;
  header(...args: unknown[]): unknown;
  send(...args: unknown[]): unknown;
  status(code: number): unknown;
}

interface HttpRequest {
  method?: string;
  body?: unknown;
  headers: Record<string, unknown>;
}

/** Where a request's error goes, with the status it was answered with (400, 401 or 500). */
export type RequestErrorReporter = (err: unknown, status: number) => void;

/** A CloudAdapter whose HTTP `process()` skips the per-request schema building (see the file comment). */
export class LeanCloudAdapter extends CloudAdapter {
  constructor(
    auth?: ConstructorParameters<typeof CloudAdapter>[0],
    private readonly reportError: RequestErrorReporter = (err) => console.error(err),
  ) {
    super(auth);
  }

  override async process(
    req: unknown,
    resOrSocket: unknown,
    logicOrHead?: unknown,
    maybeLogic?: unknown,
  ): Promise<void> {
    const call = maybeLogic === undefined ? plainPost(req, resOrSocket, logicOrHead) : undefined;
    // Anything else: botbuilder's own process(), which validates and answers it as before.
    if (!call) return super.process(req as never, resOrSocket as never, logicOrHead as never, maybeLogic as never);
    const { res, logic } = call;
    const end = (status: number, body?: unknown) => {
      res.status(status);
      if (body) res.send(body);
      res.end();
    };
    if (!call.activity) {
      this.reportError(new Error(NOT_AN_ACTIVITY), StatusCodes.BAD_REQUEST);
      return end(StatusCodes.BAD_REQUEST, { error: 'badRequest', message: NOT_AN_ACTIVITY });
    }
    const activity = validateAndFixActivity(call.activity);
    this.inbound.add(activity);
    try {
      const invokeResponse = await this.processActivity(call.authHeader, activity, logic);
      return end(invokeResponse?.status ?? StatusCodes.OK, invokeResponse?.body);
    } catch (err) {
      // The error reported once; a 401 says why (the caller's token), a 500 only where to look.
      // botbuilder throws AuthenticationError with status 500 when it cannot load the channel's
      // OpenID metadata or keys: our failure, not the caller's, so not a 401.
      if (err instanceof AuthenticationError && err.statusCode !== StatusCodes.INTERNAL_SERVER_ERROR) {
        this.reportError(err, StatusCodes.UNAUTHORIZED);
        return end(StatusCodes.UNAUTHORIZED, err.message);
      }
      // A turn's failure under the turn's id, which its other lines carry (see runMiddleware).
      const correlationId = this.turnIds.get(activity) ?? currentCorrelationId();
      withCorrelation(() => this.reportError(err, StatusCodes.INTERNAL_SERVER_ERROR), correlationId);
      return end(StatusCodes.INTERNAL_SERVER_ERROR, { error: 'internal', correlationId });
    } finally {
      this.inbound.delete(activity);
    }
  }

  /** The activities of requests being processed here (not proactive turns), and their turn ids once authenticated. */
  private readonly inbound = new WeakSet<object>();
  private readonly turnIds = new WeakMap<object, string>();

  /**
   * Runs an authenticated inbound turn under `turn-<activity id>` (see {@link turnCorrelationId}):
   * the request itself runs under an id the server made, as its body is the caller's word until
   * the token is checked; from here the activity's id is the channel's, and Teams' redelivery of
   * the same activity finds the same id in the log. Proactive turns keep the id of their work.
   */
  protected override runMiddleware(
    context: TurnContext,
    next: (revocableContext: TurnContext) => Promise<void>,
  ): Promise<void> {
    const turnId = this.inbound.has(context.activity) ? turnCorrelationId(context.activity) : undefined;
    if (!turnId) return super.runMiddleware(context, next);
    this.turnIds.set(context.activity, turnId);
    return withCorrelation(() => super.runMiddleware(context, next), turnId);
  }
}

/**
 * The correlation id of an authenticated turn: `turn-<activity id>` (cut to 100 characters) when
 * the activity has a string `id`, else undefined (the request's id stays).
 */
export function turnCorrelationId(activity: unknown): string | undefined {
  const id = (activity as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' ? `turn-${id.slice(0, 100)}` : undefined;
}

/** The 400's sentence for a POST whose body is not a Bot Framework activity. */
const NOT_AN_ACTIVITY =
  'The request body is not a Bot Framework activity: a JSON object with a non-empty string "type" (and a string "channelId", if any) is required.';

/**
 * The request, if it is a POST acrbot answers here: an Authorization header that is a string or
 * absent, a response with end/header/send/status, a logic function. `activity` is its body when
 * that is a plain object with a non-empty string `type`, else undefined (answered 400).
 */
function plainPost(
  req: unknown,
  res: unknown,
  logic: unknown,
): { activity?: Activity; authHeader: string; res: HttpResponse; logic: Logic } | undefined {
  if (typeof logic !== 'function' || !isResponse(res)) return undefined;
  const request = req as HttpRequest | undefined;
  if (!request || typeof request !== 'object' || request.method !== 'POST') return undefined;
  const headers = request.headers;
  if (!headers || typeof headers !== 'object') return undefined;
  const authHeader = headers.Authorization ?? headers.authorization ?? '';
  if (typeof authHeader !== 'string') return undefined;
  const body = request.body;
  // A channel id that is not text is no activity either: botbuilder's token check calls string
  // methods on it (a TypeError, answered 500 as acrbot's failure) before any turn could refuse it.
  const activity =
    isPlainObject(body) &&
    typeof body.type === 'string' &&
    body.type !== '' &&
    (body.channelId === undefined || typeof body.channelId === 'string')
      ? (body as unknown as Activity)
      : undefined;
  return { activity, authHeader, res, logic: logic as Logic };
}

function isResponse(res: unknown): res is HttpResponse {
  const r = res as Partial<Record<keyof HttpResponse, unknown>> | null | undefined;
  return (
    !!r &&
    typeof r.end === 'function' &&
    typeof r.header === 'function' &&
    typeof r.send === 'function' &&
    typeof r.status === 'function'
  );
}

/** An object zod's `z.record()` takes: a JSON object (not null, an array, a Date, Map, Set or thenable). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  const { then, catch: onCatch } = value as { then?: unknown; catch?: unknown };
  return typeof then !== 'function' || typeof onCatch !== 'function';
}

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
 * then the invoke response's status and body, or for an error 401 (AuthenticationError) / 500
 * with its message. The error goes to the `reportError` hook when one is given (acrbot's pino
 * logger, with the turn's correlation id), else to the console as botbuilder does. Every other call (a web socket
 * upgrade, another method, a body that is not an object, a missing type, an unusual header or
 * response) goes to botbuilder's `process()` unchanged, which answers it as before.
 * test/unit/lean-cloud-adapter.test.ts runs both on the same requests and compares the answers.
 */
import { type Activity, CloudAdapter, StatusCodes, type TurnContext } from 'botbuilder';
// botbuilder's own activity fix-up (string timestamps → Date, raw copies kept), the step its
// process() applies; not re-exported from the package index.
import { validateAndFixActivity } from 'botbuilder/lib/activityValidator';
import { AuthenticationError } from 'botframework-connector';

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

/** Where a request's error goes, with the status it was answered with (401 or 500). */
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
    const call = maybeLogic === undefined ? plainTurn(req, resOrSocket, logicOrHead) : undefined;
    // Anything else: botbuilder's own process(), which validates and answers it as before.
    if (!call) return super.process(req as never, resOrSocket as never, logicOrHead as never, maybeLogic as never);
    const { activity, authHeader, res, logic } = call;
    const end = (status: number, body?: unknown) => {
      res.status(status);
      if (body) res.send(body);
      res.end();
    };
    try {
      const invokeResponse = await this.processActivity(authHeader, validateAndFixActivity(activity), logic);
      return end(invokeResponse?.status ?? StatusCodes.OK, invokeResponse?.body);
    } catch (err) {
      // As botbuilder's process() does: 401 or 500 with its message; the error reported once.
      const status = err instanceof AuthenticationError ? StatusCodes.UNAUTHORIZED : StatusCodes.INTERNAL_SERVER_ERROR;
      this.reportError(err, status);
      return end(status, (err as { message?: unknown }).message ?? err);
    }
  }
}

/**
 * The request, if it is one botbuilder's process() would take without an early answer or a
 * validation error: a POST, a plain-object body with a non-empty string `type`, an Authorization
 * header that is a string or absent, a response with end/header/send/status, a logic function.
 */
function plainTurn(
  req: unknown,
  res: unknown,
  logic: unknown,
): { activity: Activity; authHeader: string; res: HttpResponse; logic: Logic } | undefined {
  if (typeof logic !== 'function' || !isResponse(res)) return undefined;
  const request = req as HttpRequest | undefined;
  if (!request || typeof request !== 'object' || request.method !== 'POST') return undefined;
  const body = request.body;
  if (!isPlainObject(body) || typeof body.type !== 'string' || body.type === '') return undefined;
  const headers = request.headers;
  if (!headers || typeof headers !== 'object') return undefined;
  const authHeader = headers.Authorization ?? headers.authorization ?? '';
  if (typeof authHeader !== 'string') return undefined;
  return { activity: body as unknown as Activity, authHeader, res, logic: logic as Logic };
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

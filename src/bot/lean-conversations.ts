/**
 * The Bot Connector calls that carry an activity (reply, send, update: every card, message and
 * typing indicator acrbot sends) with the activity serialised by a compiled mapper instead of
 * `@azure/core-client` interpreting the Activity mapper per call (mapper-serializer.ts). In the
 * profile of 200 simultaneous grant flows that interpretation was the largest library cost of a
 * connector call (docs/performance.md).
 *
 * Everything else stays the SDK's: the call still goes through the client's own
 * `sendOperationRequest` with the SDK's own operation spec (read from the SDK, not copied), so the
 * URL, method, headers (`x-ms-conversation-id` on replies, content type, user agent), the
 * client's pipeline (the credentials' bearer token, its retry policy: see
 * `withConnectorRetries` in connector-http-client.ts, keep-alive), the
 * `ResourceResponse` it returns and the `RestError` it throws (status code, code, parsed body)
 * are unchanged. Only the spec's body mapper is replaced by a pass-through one, because the body
 * handed over is already the serialised activity: the same object, property for property and in
 * the same order, that the Activity mapper would have produced, which the SDK then writes as JSON
 * as before. test/unit/lean-conversations.test.ts compares both paths on the wire.
 *
 * The request URL is built as `getRequestUrl` builds it (base URL, then the spec's path with each
 * URL parameter serialised and `encodeURIComponent`-ed) but by string concatenation onto the
 * base URL parsed once per client, instead of parsing and re-serialising a `URL` per call: the
 * spec is handed over with that URL as its `baseUrl` and no path. Where concatenation could
 * differ from the URL parser (a base URL with a query, fragment or `{`; a `.` or `..` segment,
 * which the parser would resolve) the SDK builds the URL itself.
 *
 * deleteActivity and the member lookups carry no body and keep the SDK's methods. A call with
 * options or a callback, or an activity the compiled mapper does not take as it is (see
 * mapper-serializer.ts), goes through the SDK's own method unchanged.
 */
import type { ConnectorClient } from 'botframework-connector';
import {
  compileMapper,
  type CompiledSerializer,
  type MapperLike,
  type ModelMappers,
  NOT_COMPILED,
} from './mapper-serializer';

type Conversations = ConnectorClient['conversations'];
type OperationName = 'replyToActivity' | 'sendToConversation' | 'updateActivity';

/** The parts of the SDK's `OperationSpec` read here; the rest is passed on untouched. */
interface OperationSpecLike {
  path?: string;
  baseUrl?: string;
  urlParameters?: Array<{ parameterPath: unknown; skipEncoding?: boolean; mapper: MapperLike }>;
  queryParameters?: unknown[];
  requestBody?: { parameterPath: unknown; mapper: MapperLike };
  serializer?: { modelMappers?: ModelMappers };
  [more: string]: unknown;
}

interface LeanOperation {
  /** The SDK's spec with a pass-through body mapper. */
  spec: OperationSpecLike;
  body: CompiledSerializer;
  /** The spec's path and its URL parameters (argument position, `{placeholder}`), for the URL. */
  path: string;
  urlParameters: Array<{ index: number; placeholder: string }>;
}

type LeanOperations = Record<OperationName, LeanOperation>;

/** Positional parameters of each operation before the activity, as the SDK names them. */
const OPERATIONS: Record<OperationName, readonly string[]> = {
  replyToActivity: ['conversationId', 'activityId'],
  sendToConversation: ['conversationId'],
  updateActivity: ['conversationId', 'activityId'],
};

/** Per `Conversations` prototype (one per loaded botframework-connector): the prepared operations, or why not. */
const prepared = new WeakMap<object, LeanOperations | Error>();

/**
 * Told why the lean calls could not be prepared with an SDK: called once, when its `Conversations`
 * prototype is first prepared (clients sharing that prototype later fall back silently).
 */
export type LeanFallbackListener = (reason: string) => void;

/**
 * Gives `client` the lean reply/send/update (in place; returns it). A client without the SDK's
 * `conversations` (a test double) or an SDK whose specs cannot be compiled is left as it is; for
 * the latter `onFallback` hears why, if this call is the one that prepared the SDK.
 */
export function withLeanConversations<T>(client: T, onFallback?: LeanFallbackListener): T {
  const conversations = (client as { conversations?: Conversations } | undefined)?.conversations;
  if (!conversations || typeof conversations !== 'object') return client;
  const lean = leanOperationsOf(Object.getPrototypeOf(conversations) as Conversations, onFallback);
  if (lean instanceof Error) return client;
  const serviceClient = client as unknown as ConnectorClient;
  const urlPrefix = urlPrefixOf((client as { baseUri?: unknown }).baseUri);
  for (const name of Object.keys(OPERATIONS) as OperationName[]) {
    const sdkMethod = Object.getPrototypeOf(conversations)[name] as (...args: unknown[]) => unknown;
    const leading = OPERATIONS[name].length;
    const { spec, body, path, urlParameters } = lean[name];
    Object.defineProperty(conversations, name, {
      configurable: true,
      writable: true,
      value(...args: unknown[]) {
        // options / callback: the SDK's own method, which knows what to do with them.
        if (args.length > leading + 1 && (args[leading + 1] !== undefined || args[leading + 2] !== undefined))
          return sdkMethod.apply(conversations, args);
        const serialized = body(args[leading]);
        if (serialized === NOT_COMPILED) return sdkMethod.apply(conversations, args);
        // The operation arguments exactly as the SDK builds them, with the activity serialised.
        const operationArguments: Record<string, unknown> = {};
        for (let i = 0; i < leading; i++) operationArguments[OPERATIONS[name][i]] = args[i];
        operationArguments.activity = serialized;
        operationArguments.options = undefined;
        const url = urlPrefix === undefined ? undefined : requestUrl(urlPrefix, path, urlParameters, args);
        const operationSpec =
          url === undefined ? spec : { ...spec, baseUrl: url, path: undefined, urlParameters: undefined };
        return serviceClient.sendOperationRequest(operationArguments, operationSpec as never);
      },
    });
  }
  return client;
}

/**
 * The prepared operations of `proto`, prepared on first use. A failure is told to `onFallback`
 * only then, so it is said once per SDK where it is found, with no status kept for anyone to poll.
 */
function leanOperationsOf(proto: Conversations, onFallback?: LeanFallbackListener): LeanOperations | Error {
  const known = prepared.get(proto);
  if (known) return known;
  let lean: LeanOperations | Error;
  try {
    lean = prepare(proto);
  } catch (err) {
    lean = err instanceof Error ? err : new Error(String(err));
  }
  // Recorded before the listener runs: a listener that throws must not make the next client prepare again.
  prepared.set(proto, lean);
  if (lean instanceof Error) onFallback?.(lean.message);
  return lean;
}

function prepare(proto: Conversations): LeanOperations {
  const out = {} as LeanOperations;
  for (const name of Object.keys(OPERATIONS) as OperationName[]) {
    const leading = OPERATIONS[name];
    const probeArgs = [...leading.map((p) => `probe-${p}`), { type: 'message' }];
    const { spec, operationArguments } = probeSpec(proto, name, probeArgs);
    // The arguments this module builds must be the ones the SDK builds.
    const expected = [...leading, 'activity', 'options'];
    if (Object.keys(operationArguments).join() !== expected.join())
      throw new Error(`${name}: the SDK passes ${Object.keys(operationArguments).join()}, expected ${expected.join()}`);
    const requestBody = spec.requestBody;
    if (requestBody?.parameterPath !== 'activity') throw new Error(`${name}: the SDK's body is not "activity"`);
    const models = spec.serializer?.modelMappers;
    if (!models) throw new Error(`${name}: the SDK's serializer has no models`);
    if (!spec.path || spec.baseUrl || spec.queryParameters?.length)
      throw new Error(`${name}: the SDK's URL is not a path with URL parameters`);
    const urlParameters = (spec.urlParameters ?? []).map((p) => {
      const index = leading.indexOf(String(p.parameterPath));
      if (index < 0 || p.skipEncoding || p.mapper.type.name !== 'String' || !p.mapper.required)
        throw new Error(`${name}: URL parameter ${String(p.parameterPath)} is not a required, encoded string`);
      return { index, placeholder: `{${p.mapper.serializedName || String(p.parameterPath)}}` };
    });
    out[name] = {
      path: spec.path,
      urlParameters,
      body: compileMapper(requestBody.mapper, models),
      spec: {
        ...spec,
        requestBody: {
          ...requestBody,
          // `Object` is serialised as it is and then written with JSON.stringify, as the SDK
          // writes the Activity mapper's output.
          mapper: { serializedName: requestBody.mapper.serializedName, required: true, type: { name: 'Object' } },
        },
      },
    };
  }
  return out;
}

/** Calls the SDK's method on a stand-in client that records the spec and arguments it is given. */
function probeSpec(
  proto: Conversations,
  name: OperationName,
  args: unknown[],
): { spec: OperationSpecLike; operationArguments: Record<string, unknown> } {
  let seen: { spec: OperationSpecLike; operationArguments: Record<string, unknown> } | undefined;
  const probe = {
    client: {
      sendOperationRequest(operationArguments: Record<string, unknown>, spec: OperationSpecLike) {
        seen = { spec, operationArguments };
        return Promise.resolve({});
      },
    },
  };
  void (proto[name] as (...a: unknown[]) => Promise<unknown>).apply(probe, args);
  if (!seen) throw new Error(`${name}: the SDK's method did not call sendOperationRequest`);
  return seen;
}

/**
 * The base URL as `appendPath` leaves it before appending (parsed, serialised, path ending in
 * `/`), or undefined where plain concatenation could differ from the URL parser.
 */
function urlPrefixOf(baseUri: unknown): string | undefined {
  if (typeof baseUri !== 'string' || !baseUri || baseUri.includes('{')) return undefined;
  let url: URL;
  try {
    url = new URL(baseUri);
  } catch {
    return undefined;
  }
  if (url.search || url.hash) return undefined;
  if (!url.pathname.endsWith('/')) url.pathname = `${url.pathname}/`;
  return url.href;
}

/**
 * `getRequestUrl` for these specs: the path's placeholders replaced in the spec's order by the
 * `encodeURIComponent`-ed arguments, appended to the prefix. Undefined (the SDK builds it) for an
 * argument that is not a string (the SDK serialises or refuses it) or a `.`/`..` segment.
 */
function requestUrl(
  prefix: string,
  path: string,
  urlParameters: LeanOperation['urlParameters'],
  args: unknown[],
): string | undefined {
  let out = path.startsWith('/') ? path.substring(1) : path;
  for (const { index, placeholder } of urlParameters) {
    const value = args[index];
    if (typeof value !== 'string') return undefined;
    out = out.split(placeholder).join(encodeURIComponent(value));
  }
  for (const segment of out.split('/')) if (segment === '.' || segment === '..') return undefined;
  if (out.includes('?')) return undefined;
  return prefix + out;
}

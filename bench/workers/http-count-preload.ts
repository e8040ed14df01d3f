/**
 * Preload for investigations (`node -r …/http-count-preload.js dist/index.js`): counts the
 * HTTP requests the process sends to `BENCH_COUNT_HOST` (`host:port`, e.g. Azurite's table
 * endpoint) by method and kind (`$batch`, entity, query, table), and the error statuses. The
 * first SIGUSR2 starts a window, the second writes `BENCH_PROFILE_DIR/<pid>-requests-<n>.json`
 * (alongside profile-preload's profile of the same window).
 *
 * It counts at `http.request`/`https.request` and at undici's `undici:request:create` diagnostics
 * channel (acrbot's pooled HTTP client), below any SDK, so builds that reach the service through
 * different clients or pipelines are counted alike.
 */
import diagnostics from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { join } from 'node:path';

const target = process.env.BENCH_COUNT_HOST ?? '';
const detail = process.env.BENCH_COUNT_DETAIL === '1';
let counts = new Map<string, number>();
let counting = false;
let windows = 0;

const add = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);

/** `POST $batch`, `GET entity`, `GET query`, `POST table` … from a request's method and path. */
function kindOf(method: string, path: string): string {
  const last = decodeURIComponent(path.split('?')[0]).split('/').pop() ?? '';
  if (last === '$batch') return `${method} $batch`;
  if (/\(PartitionKey=/.test(last)) {
    if (!detail) return `${method} entity`;
    // BENCH_COUNT_DETAIL=1: which table, and the partition key's kind (up to its first `|` or `!`).
    const m = /^(.*)\(PartitionKey='([^'|!:]*)/.exec(last);
    return `${method} entity ${m?.[1].slice((process.env.ACRBOT_TABLE_PREFIX ?? 'acrbot').length) ?? ''} ${m?.[2].slice(0, 12) ?? ''}`;
  }
  if (last === 'Tables') return `${method} table`;
  // A POST to a table's path is an insert; a GET is a query (BENCH_COUNT_DETAIL=1: which table, which filter's keys).
  if (!detail) return `${method} query`;
  const table = last.slice((process.env.ACRBOT_TABLE_PREFIX ?? 'acrbot').length);
  const filter = new URLSearchParams(path.split('?')[1] ?? '').get('$filter') ?? '';
  const keys = [...filter.matchAll(/(\w+) (eq|ge|gt|le|lt) '([^'|!:]{0,12})/g)].map((m) => `${m[1]} ${m[2]} ${m[3]}`);
  return `${method} ${method === 'POST' ? 'insert' : 'query'} ${table} ${keys.join(' and ')}`.trimEnd();
}

/** BENCH_COUNT_DETAIL=1: a transaction's actions by table and method, from its body. */
function countBatchActions(body: string): void {
  const prefix = process.env.ACRBOT_TABLE_PREFIX ?? 'acrbot';
  const actions = [
    ...body.matchAll(/^(POST|PUT|MERGE|PATCH|DELETE) \S*\/([A-Za-z0-9]+)(\(PartitionKey='([^'|!:]*))?/gm),
  ];
  if (actions.length) {
    const table = actions[0][2].slice(prefix.length);
    const pk = actions[0][4] ?? '';
    add(`  $batch ${table} ${pk}: ${actions.map((a) => a[1]).join('+')}`);
  }
}

/** {@link countBatchActions} on a Node request's body, read as it is written. */
function countBatch(req: http.ClientRequest): void {
  let body = '';
  const grab = (chunk: unknown) => {
    if (typeof chunk === 'string' || Buffer.isBuffer(chunk)) body += chunk.toString();
  };
  const { write, end } = req;
  req.write = function (this: http.ClientRequest, chunk: unknown, ...rest: unknown[]) {
    grab(chunk);
    return (write as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof req.write;
  req.end = function (this: http.ClientRequest, chunk?: unknown, ...rest: unknown[]) {
    if (typeof chunk !== 'function') grab(chunk);
    countBatchActions(body);
    return (end as (...a: unknown[]) => http.ClientRequest).call(this, chunk, ...rest);
  } as typeof req.end;
}

for (const mod of [http, https]) {
  const original = mod.request.bind(mod) as (...args: unknown[]) => http.ClientRequest;
  (mod as { request: unknown }).request = (...args: unknown[]) => {
    const req = original(...args);
    if (counting) {
      const opts = (typeof args[0] === 'object' && args[0] && !(args[0] instanceof URL) ? args[0] : {}) as {
        hostname?: string;
        port?: number | string;
      };
      const where = `${opts.hostname ?? req.host}:${opts.port ?? ''}`;
      if (!target || where === target) {
        const kind = kindOf(req.method, req.path);
        add(kind);
        if (detail && kind === 'POST $batch') countBatch(req);
        req.once('response', (res) => {
          if ((res.statusCode ?? 0) >= 400) add(`${kind} ${res.statusCode}`);
        });
      }
    }
    return req;
  };
}

/** What undici is asked to send (the part of its Request read here). */
interface UndiciRequest {
  origin: string | URL;
  method: string;
  path: string;
  body?: unknown;
}

/** The kind each counted undici request was given, for its answer's status. */
const undiciKinds = new WeakMap<object, string>();

diagnostics.subscribe('undici:request:create', (message) => {
  if (!counting) return;
  const { request } = message as { request: UndiciRequest };
  if (target && new URL(String(request.origin)).host !== target) return;
  const kind = kindOf(request.method, request.path);
  add(kind);
  undiciKinds.set(request, kind);
  const body = request.body;
  if (detail && kind === 'POST $batch' && (typeof body === 'string' || Buffer.isBuffer(body)))
    countBatchActions(body.toString());
});
diagnostics.subscribe('undici:request:headers', (message) => {
  const { request, response } = message as { request: object; response: { statusCode: number } };
  const kind = undiciKinds.get(request);
  if (kind && response.statusCode >= 400) add(`${kind} ${response.statusCode}`);
});

process.on('SIGUSR2', () => {
  if (!counting) {
    counts = new Map();
    counting = true;
    return;
  }
  counting = false;
  const file = join(process.env.BENCH_PROFILE_DIR ?? '.', `${process.pid}-requests-${++windows}.json`);
  writeFileSync(file, JSON.stringify(Object.fromEntries([...counts].sort())));
  process.stderr.write(`BENCH_REQUESTS ${file}\n`);
});

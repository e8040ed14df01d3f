/**
 * CPU per Bot Connector call of this process, the SDK's ConnectorClient against the same client
 * with the lean activity calls (src/bot/lean-conversations.ts), for docs/performance.md:
 *
 *   node scripts/run-ts.js bench/tools/connector-call-cpu.ts [rounds=40] [calls=500]
 *
 * The connector answers from a child process, so only the client's CPU is counted
 * (`process.cpuUsage`, user + system). Each round runs both clients one after the other, in
 * alternating order, on the same mix as a grant flow (reply 1, send 3, update 2, each carrying
 * a ~3 KB Adaptive Card), 8 calls in flight. Short rounds keep the two sides of a pair close in
 * time on a shared machine; the summary gives the medians, the median of the paired
 * differences and in how many pairs each side used less CPU.
 */
import { ConnectorClient } from 'botframework-connector';
import { type ChildProcess, spawn } from 'node:child_process';
import { withLeanConversations } from '../../src/bot/lean-conversations';
import { grantFlowCalls } from '../lib/outbound-card';

const SERVER = `
const http = require('node:http');
let n = 0;
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ id: 'act-' + ++n }));
  });
});
server.keepAliveTimeout = 30000;
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
`;

async function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve) =>
    child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())),
  );
  return { child, url: `http://127.0.0.1:${port}/` };
}

const credentials = {
  async signRequest<T>(request: T): Promise<T> {
    return request;
  },
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 40);
  const calls = Number(process.argv[3] ?? 500);
  const { child, url } = await startServer();
  const clients = {
    sdk: new ConnectorClient(credentials, { baseUri: url }),
    lean: withLeanConversations(new ConnectorClient(credentials, { baseUri: url })),
  };
  const mixes = { sdk: grantFlowCalls(clients.sdk, url), lean: grantFlowCalls(clients.lean, url) };
  const run = async (side: 'sdk' | 'lean', count: number): Promise<number> => {
    const mix = mixes[side];
    const before = process.cpuUsage();
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < count) await mix[next++ % mix.length]!();
      }),
    );
    const used = process.cpuUsage(before);
    return (used.user + used.system) / 1000 / count;
  };
  // Warm-up: both paths optimised by V8 before measuring.
  await run('sdk', 1000);
  await run('lean', 1000);
  const results: Record<'sdk' | 'lean', number[]> = { sdk: [], lean: [] };
  for (let r = 0; r < rounds; r++) {
    const order: Array<'sdk' | 'lean'> = r % 2 ? ['lean', 'sdk'] : ['sdk', 'lean'];
    for (const side of order) results[side].push(await run(side, calls));
    if (process.env.VERBOSE)
      process.stdout.write(
        `round ${r + 1}: SDK ${results.sdk[r].toFixed(3)} ms/call, lean ${results.lean[r].toFixed(3)} ms/call\n`,
      );
  }
  const sdk = median(results.sdk);
  const lean = median(results.lean);
  const differences = results.sdk.map((s, i) => s - results.lean[i]);
  const leanLess = differences.filter((d) => d > 0).length;
  process.stdout.write(
    `${rounds} pairs of ${calls} calls: median CPU per call SDK ${sdk.toFixed(3)} ms, lean ${lean.toFixed(3)} ms; ` +
      `median paired difference ${median(differences).toFixed(3)} ms per call ` +
      `(${((median(differences) / sdk) * 100).toFixed(1)} %, ${(6 * median(differences)).toFixed(2)} ms per 6-call flow); ` +
      `lean used less in ${leanLess} of ${rounds} pairs\n`,
  );
  child.kill();
}

main().catch((err: unknown) => {
  process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`);
  process.exit(1);
});

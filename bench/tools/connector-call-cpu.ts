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
import { pairedCpu } from '../lib/paired-cpu';

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

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 40);
  const calls = Number(process.argv[3] ?? 500);
  const { child, url } = await startServer();
  const clients = {
    sdk: new ConnectorClient(credentials, { baseUri: url }),
    lean: withLeanConversations(new ConnectorClient(credentials, { baseUri: url })),
  };
  const r = await pairedCpu(grantFlowCalls(clients.sdk, url), grantFlowCalls(clients.lean, url), {
    rounds,
    calls,
    inFlight: 8,
    warmUpCalls: 1000,
  });
  if (process.env.VERBOSE)
    r.base.forEach((sdk, i) =>
      process.stdout.write(
        `round ${i + 1}: SDK ${sdk.toFixed(3)} ms/call, lean ${r.candidate[i]!.toFixed(3)} ms/call\n`,
      ),
    );
  process.stdout.write(
    `${rounds} pairs of ${calls} calls: median CPU per call SDK ${r.baseMedian.toFixed(3)} ms, lean ${r.candidateMedian.toFixed(3)} ms; ` +
      `median paired difference ${r.difference.toFixed(3)} ms per call ` +
      `(${((r.difference / r.baseMedian) * 100).toFixed(1)} %, ${(6 * r.difference).toFixed(2)} ms per 6-call flow); ` +
      `lean used less in ${r.candidateLess} of ${rounds} pairs\n`,
  );
  child.kill();
}

main().catch((err: unknown) => {
  process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`);
  process.exit(1);
});

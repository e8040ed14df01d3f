/**
 * What each kind of P11 traffic costs in bytes (P11 investigation): starts acrbot as P11 does,
 * sends `n` activities of every hostile kind and the abandoned dialog, and prints per kind the
 * inbound body, the answer's status and the calls acrbot made to the Bot Connector (count and
 * bytes). Large answers to junk are per-request native buffers (the body copy, its length
 * counted through another copy, the socket write) that wait for a GC.
 *
 *   node scripts/run-ts.js bench/tools/p11-replies.ts [n]
 */
import { startSandbox } from '../../src/sandbox/sandbox';
import { startAcrbotProcess } from '../lib/acrbot-process';
import { channelMessage, nextActivityId, postActivity } from '../lib/activities';
import { buildAcrbot, compileBench } from '../lib/compile';
import { BenchConnector } from '../lib/connector';
import { hostileActivity } from '../metrics/p11-memory-hostile';

const KINDS = [
  'unknown command',
  'grant + 16 KB text',
  'template/markdown injection',
  'bidi/control name',
  'other tenant',
  'other channel (slack)',
  'no aadObjectId',
  'forged approve + 8 KB blob',
  'unknown verb',
  'status <unknown id>',
  'redelivered id',
  'audit + 50 mentions',
];

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 3);
  if (!process.argv.includes('--no-build')) buildAcrbot();
  compileBench();
  const connector = new BenchConnector();
  await connector.start();
  const sandbox = await startSandbox({ recordRequests: false });
  const acrbot = await startAcrbotProcess(sandbox);
  let calls: Array<{ op: string; type: string; bytes: number }> = [];
  connector.onCall = (c) => calls.push({ op: c.op, type: c.type, bytes: Buffer.byteLength(c.raw) });
  const settle = async () => {
    // Replies are sent within the turn; wait until no call arrived for 300 ms.
    for (let last = -1; last !== calls.length;) {
      last = calls.length;
      await new Promise((r) => setTimeout(r, 300));
    }
  };
  try {
    const kinds: Array<[string, (i: number) => Record<string, unknown>]> = [
      [
        'abandoned dialog',
        () =>
          channelMessage(
            { objectId: crypto.randomUUID(), name: 'S', teamsId: `29:${crypto.randomUUID()}` },
            'grant aks-prod',
            connector.url,
            nextActivityId(),
          ).activity,
      ],
      ...KINDS.map((name, k): [string, (i: number) => Record<string, unknown>] => [
        name,
        (i) => hostileActivity(12 * (500_000 + i) + k, connector.url),
      ]),
    ];
    console.log('kind | inbound bytes | status | connector calls (op:type bytes)');
    for (const [name, make] of kinds) {
      calls = [];
      let inbound = 0;
      const statuses: number[] = [];
      for (let i = 0; i < n; i++) {
        const activity = make(i);
        inbound += Buffer.byteLength(JSON.stringify(activity));
        statuses.push((await postActivity(acrbot.bot.url, activity)).status);
      }
      await settle();
      const out = calls.reduce((s, c) => s + c.bytes, 0);
      console.log(
        `${name} | ${Math.round(inbound / n)} | ${[...new Set(statuses)].join(',')} | ${(calls.length / n).toFixed(1)} calls, ${Math.round(out / n)} bytes per activity (${calls
          .slice(0, 3)
          .map((c) => `${c.op}:${c.type} ${c.bytes}`)
          .join(', ')})`,
      );
    }
  } finally {
    await acrbot.stop();
    await sandbox.stop();
    await connector.stop();
  }
}

void main();

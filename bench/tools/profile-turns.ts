/**
 * CPU profile of acrbot serving `help` turns at 16 keep-alive connections (what P2 measures):
 *
 *   npm run build && node scripts/run-ts.js bench/tools/profile-turns.ts [seconds=4] [dir=/tmp/acrbot-prof-turns]
 *   node scripts/run-ts.js bench/tools/cpuprofile-summary.ts <dir>/<pid>-1.cpuprofile 25
 *
 * The bot runs as in P2 (precompiled child, memory store, sandbox mode) with the profile
 * preload; only the measured window is profiled, after a warm-up.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { personalMessage, USERS } from '../lib/activities';
import { cpuMs, startBot } from '../lib/child';
import { compileBench, compiled } from '../lib/compile';
import { BenchConnector } from '../lib/connector';
import { load } from '../lib/load';

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 4);
  const dir = process.argv[3] ?? '/tmp/acrbot-prof-turns';
  mkdirSync(dir, { recursive: true });
  compileBench();
  const connector = new BenchConnector();
  const serviceUrl = await connector.start();
  const bot = await startBot('acrbot', {
    nodeArgs: ['-r', compiled('bench/workers/profile-preload.ts')],
    env: { BENCH_PROFILE_DIR: dir },
  });
  const body = JSON.stringify(personalMessage(USERS.requester, 'help', serviceUrl));
  try {
    await load(`${bot.url}/api/messages`, body, 16, 2);
    const before = new Set(readdirSync(dir));
    process.kill(bot.child.pid!, 'SIGUSR2');
    const cpu0 = cpuMs(bot.child.pid!);
    const result = await load(`${bot.url}/api/messages`, body, 16, seconds);
    const cpu = cpuMs(bot.child.pid!) - cpu0;
    process.kill(bot.child.pid!, 'SIGUSR2');
    const turns = result.perSecond * seconds;
    process.stdout.write(
      `${result.perSecond.toFixed(0)} turns/s, ${result.failed} failed; bot CPU ${(cpu / turns).toFixed(3)} ms/turn\n`,
    );
    for (let i = 0; i < 500; i++) {
      const fresh = readdirSync(dir).filter((f) => !before.has(f) && f.endsWith('.cpuprofile'));
      if (fresh.length) {
        process.stdout.write(`profile: ${join(dir, fresh[0])}\n`);
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await bot.stop();
    await connector.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`${String((err as Error).stack ?? err)}\n`);
  process.exit(1);
});

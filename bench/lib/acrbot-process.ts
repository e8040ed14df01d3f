/**
 * acrbot as the production process (`node dist/index.js`) against sandbox emulators that run
 * in the benchmark's own process: acrbot reaches them through ACRBOT_ARM_ENDPOINT /
 * ACRBOT_GRAPH_ENDPOINT and trusts their CA through NODE_EXTRA_CA_CERTS (the documented way
 * for external emulators). The benchmark can then inspect and change the emulators' state
 * (add clusters, revoke grants, count assignments) while acrbot's process holds only acrbot.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SANDBOX_SUBSCRIPTIONS } from '../../src/sandbox/fixtures';
import type { Sandbox } from '../../src/sandbox/sandbox';
import { type BotProcess, startBot } from './child';
import { BENCH_LIMITS_ENV } from './paths';

/** A started acrbot process and its scratch directory. */
export interface AcrbotProcess {
  bot: BotProcess;
  /** Stops the process and removes its database and CA file. */
  stop(): Promise<void>;
}

/**
 * Starts `node dist/index.js` with SQLite on a temp file, one subscription, the given emulators.
 * `env` overrides any of it (e.g. `ACRBOT_STORAGE: 'tables:…'` for several processes on one store).
 */
export async function startAcrbotProcess(
  sandbox: Sandbox,
  opts: { nodeArgs?: string[]; env?: Record<string, string> } = {},
): Promise<AcrbotProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'acrbot-bench-'));
  const caFile = join(dir, 'sandbox-ca.pem');
  writeFileSync(caFile, sandbox.tls.caPem);
  try {
    const bot = await startBot('acrbot', {
      nodeArgs: opts.nodeArgs,
      env: {
        ACRBOT_STORAGE: `sqlite:${join(dir, 'acrbot.db')}`,
        ACRBOT_SUBSCRIPTION_IDS: SANDBOX_SUBSCRIPTIONS.platform,
        ACRBOT_ARM_ENDPOINT: sandbox.armUrl,
        ACRBOT_GRAPH_ENDPOINT: sandbox.graphUrl,
        NODE_EXTRA_CA_CERTS: caFile,
        ...BENCH_LIMITS_ENV,
        ...opts.env,
      },
    });
    return {
      bot,
      stop: async () => {
        await bot.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Two bot instances on one store (scale-out, G17/G16 across instances): both in-process, sharing
 * a SQLite file in a temporary directory, one sandbox (one emulated Azure and Graph) and one
 * capturing Bot Connector, so what one instance stores or sends the other sees.
 */
import { join } from 'node:path';
import type { AppOptions } from '../../src/app';
import { type Sandbox, startSandbox } from '../../src/sandbox/sandbox';
import { CapturingConnector } from './capturing-connector';
import { type Harness, startHarness } from './harness';
import { TempDirs } from './temp-dirs';

/** The two running instances and what they share. */
export interface TwoInstances {
  first: Harness;
  second: Harness;
  sandbox: Sandbox;
  connector: CapturingConnector;
}

/**
 * Starts two instances on one SQLite store under a new temporary directory named `<prefix>XXXXXX`,
 * with `env` added to both configurations (ACRBOT_STORAGE is set here) and `options` (a clock)
 * given to both apps. `stop()` stops everything and removes the directory, also when a stop fails.
 */
export async function twoInstancesOnOneStore(
  prefix: string,
  env: Record<string, string> = {},
  options: Omit<AppOptions, 'sandbox'> = {},
): Promise<TwoInstances & { stop(): Promise<void> }> {
  const dirs = new TempDirs();
  const started: Partial<TwoInstances> = {};
  const stop = async () => {
    try {
      await started.first?.stop();
      await started.second?.stop();
      await started.sandbox?.stop();
      await started.connector?.stop();
    } finally {
      dirs.removeAll();
    }
  };
  try {
    const storage = `sqlite:${join(dirs.make(prefix), 'acrbot.db')}`;
    const sandbox = (started.sandbox = await startSandbox());
    const connector = (started.connector = new CapturingConnector());
    await connector.start();
    const both = { ...env, ACRBOT_STORAGE: storage };
    // Two instance ids, as two processes have: leases are re-entrant for their owner, so one id
    // for both would let each hold the other's job and run leases.
    const first = (started.first = await startHarness(
      both,
      { ...options, sandbox, instanceId: 'first' },
      { connector },
    ));
    const second = (started.second = await startHarness(
      both,
      { ...options, sandbox, instanceId: 'second' },
      { connector },
    ));
    return { first, second, sandbox, connector, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

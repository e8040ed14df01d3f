/** Starts the bot + Playground for one e2e test file, with logs under .playground/e2e/<name>/ (gitignored). */
import path from 'node:path';
import { REPO_ROOT, type Stack, startStack, tail } from '../../../scripts/playground/stack';

export type { Stack };

/** Starts a fresh stack for the test file `name`: in-memory storage, sandbox defaults, no developer settings (.env, ACRBOT_*). */
export async function startE2eStack(name: string, botEnv: Record<string, string> = {}): Promise<Stack> {
  return startStack({
    workDir: path.join(REPO_ROOT, '.playground', 'e2e', name),
    botEnv,
    isolated: true,
    startTimeoutInMs: 60_000,
  });
}

/** The last lines of both logs, for failure messages. */
export function logsOf(stack: Stack | undefined): string {
  if (!stack) return '';
  return `--- acrbot log ---\n${tail(stack.logs.bot, 3000)}\n--- Playground log ---\n${tail(stack.logs.playground, 2000)}`;
}

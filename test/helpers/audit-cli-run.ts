/**
 * Runs the audit CLI in-process (`runAuditCli`, what scripts/audit-cli.ts calls) and captures
 * what it prints: the tests read the exit code and both streams as an operator would.
 */
import { runAuditCli } from '../../src/audit-cli/main';
import { type CapturedRun, capturedStreams } from './captured-streams';

/** What one run of the CLI printed, and its exit code. */
export type CliResult = CapturedRun;

/** `audit-cli <args>` with exactly `env` (and `cwd`, where it looks for .data/audit.key); never rejects on a non-zero exit. */
export async function runCliCaptured(
  args: string[],
  env: Record<string, string | undefined>,
  cwd?: string,
): Promise<CliResult> {
  const io = capturedStreams();
  const code = await runAuditCli(args, env, io.streams, cwd);
  return { code, ...io.printed() };
}

/**
 * Runs the audit CLI in-process (`runAuditCli`, what scripts/audit-cli.ts calls) and captures
 * what it prints: the tests read the exit code and both streams as an operator would.
 */
import { Writable } from 'node:stream';
import { runAuditCli } from '../../src/audit-cli/main';

/** What one run of the CLI printed, and its exit code. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `audit-cli <args>` with exactly `env` (and `cwd`, where it looks for .data/audit.key); never rejects on a non-zero exit. */
export async function runCliCaptured(
  args: string[],
  env: Record<string, string | undefined>,
  cwd?: string,
): Promise<CliResult> {
  const out = { stdout: '', stderr: '' };
  const sink = (name: keyof typeof out) =>
    new Writable({
      write(chunk, _encoding, done) {
        out[name] += String(chunk);
        done();
      },
    });
  const code = await runAuditCli(args, env, { stdout: sink('stdout'), stderr: sink('stderr') }, cwd);
  return { code, ...out };
}

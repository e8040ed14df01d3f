/** The policy check (`npm run policy:check`) run in-process on a policy text, as the policy file tests read its answer. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runPolicyCheck } from '../../../src/policy-check/main';

/** What one run of the policy check answered, and the file it read (removed since). */
export interface PolicyCheckRun {
  code: number;
  out: string;
  err: string;
  file: string;
}

/**
 * Writes `text` as policy.yaml in a new temporary directory named `<prefix>XXXXXX`, runs the
 * policy check on it, and removes the directory: its exit code, what it printed on stdout and
 * stderr, and the path it was given (which its messages quote).
 */
export function checkPolicyText(text: string, prefix = 'acrbot-policy-check-'): PolicyCheckRun {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    const file = join(dir, 'policy.yaml');
    writeFileSync(file, text);
    let out = '';
    let err = '';
    const sink = (write: (s: string) => void) =>
      new Writable({
        write(chunk, _enc, done) {
          write(String(chunk));
          done();
        },
      });
    const code = runPolicyCheck([file], {}, { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)) });
    return { code, out, err, file };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

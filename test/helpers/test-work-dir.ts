/**
 * What a sandbox bot keeps in its working directory's `.data/` (the emulators' TLS cache, the
 * sandbox audit key), kept out of the repository for test bots: the developer's playground uses
 * the repository's `.data/`, and a test must neither read nor write it.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/**
 * The working directory of spawned test bots (their `.data/` is in it). One folder for every
 * test worker and run, like the repository's `.data/` was: the TLS cache is written whole and
 * renamed into place and checked on every read, and the audit key file is linked into place, so
 * parallel starts are safe, and the RSA keys are generated once per machine, not per worker.
 */
export function testWorkDir(): string {
  const dir = join(tmpdir(), `acrbot-test-workdir-${userInfo().username}`);
  mkdirSync(join(dir, '.data'), { recursive: true });
  return dir;
}

/**
 * The working directory of spawned command-line tools (the audit CLI): empty, so a run sees only
 * what the test passes. The CLI reads `.env` and the sandbox's `.data/audit.key` from its working
 * directory, which in the repository (a developer's settings and playground key) or in
 * {@link testWorkDir} (the test bots' key) would be files the test does not control; and it
 * writes nothing there unless told to (`--out`).
 */
export function emptyWorkDir(): string {
  const dir = join(tmpdir(), `acrbot-test-emptydir-${userInfo().username}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * The audit key (ACRBOT_AUDIT_KEY) of in-process test bots with a persistent store: without one,
 * the sandbox would generate `.data/audit.key` in the working directory, the repository. Fixed, so
 * a bot restarted on the same store verifies the entries it signed before.
 */
export const TEST_AUDIT_KEY = Buffer.alloc(32, 'acrbot-test-audit-key').toString('base64');

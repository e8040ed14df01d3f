/**
 * Temporary directories a test makes for itself (a SQLite file, a CA file, a kubeconfig), one or
 * more per test (test/unit/support/temp-dir.ts has one per test file). The test file calls
 * `removeAll()` from its afterEach/afterAll, in a `finally` after whatever uses them (a bot
 * process, a harness holding the SQLite file) has stopped, so they go whether the test passed
 * or failed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class TempDirs {
  private readonly dirs: string[] = [];

  /** A new directory under the OS temporary directory, named `<prefix>XXXXXX`. */
  make(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }

  /** Removes every directory made so far (and what is in it). */
  removeAll(): void {
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The policy in force, reloaded from ACRBOT_POLICY on SIGHUP or when the file changes. A file
 * that no longer parses is reported and ignored: the last good policy stays (requests are never
 * dropped, and pending ones keep the rule they were bound to anyway, G18).
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Policy, PolicyProvider } from '../domain/policy';
import { readPolicyFile } from './policy-file';

/** The outcome of one reload. */
export type PolicyReload = { ok: true; changed: boolean; policy: Policy } | { ok: false; error: Error; policy: Policy };

/** Holds the current policy; {@link reload} re-reads the file. */
export class PolicySource implements PolicyProvider {
  private policy: Policy;
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;

  constructor(
    initial: Policy,
    private readonly file?: string,
    private readonly onReload: (result: PolicyReload) => void = () => undefined,
  ) {
    this.policy = initial;
  }

  current(): Policy {
    return this.policy;
  }

  /** True when there is a file to reload from. */
  get watching(): boolean {
    return this.file !== undefined;
  }

  /** Re-reads the file (no-op without one); keeps the old policy when the new one is invalid. */
  reload(): PolicyReload {
    if (!this.file) return { ok: true, changed: false, policy: this.policy };
    let result: PolicyReload;
    try {
      const next = readPolicyFile(this.file);
      const changed = next.hash !== this.policy.hash;
      this.policy = next;
      result = { ok: true, changed, policy: next };
    } catch (err) {
      result = { ok: false, error: err as Error, policy: this.policy };
    }
    this.onReload(result);
    return result;
  }

  /**
   * Watches the file's directory (editors and ConfigMap mounts replace the file rather than
   * write it, which a watch on the file itself would miss) and reloads shortly after a change.
   */
  watch(): void {
    if (!this.file || this.watcher) return;
    const name = basename(this.file);
    this.watcher = watch(dirname(this.file), (_event, changed) => {
      if (changed && changed !== name && !changed.startsWith('..')) return;
      if (this.debounce) clearTimeout(this.debounce);
      this.debounce = setTimeout(() => this.reload(), 100);
      this.debounce.unref();
    });
    this.watcher.unref();
  }

  /** Stops watching. */
  close(): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.watcher?.close();
    this.watcher = undefined;
  }
}

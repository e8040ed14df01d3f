/**
 * The policy in force, reloaded from ACRBOT_POLICY on SIGHUP or when the file changes. A file
 * that no longer parses is reported and ignored: the last good policy stays (requests are never
 * dropped, and pending ones keep the rule they were bound to anyway, G18). A file still being
 * written is not taken: a change counts once two reads a moment apart find the same text.
 */
import { existsSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Policy, PolicyProvider } from '../domain/policy';
import { loadPolicy, PolicyFileError, type PolicyLimits, policyHash, readPolicyText } from './policy-file';
import type { PolicyLoad, PolicyWarning } from './policy-warnings';

/** The outcome of one reload. */
export type PolicyReload = { ok: true; changed: boolean; policy: Policy } | { ok: false; error: Error; policy: Policy };

/**
 * The last reload that refused the file on disk, while no later one has taken a good file: the
 * policy card says so beside the policy still in force (a refused file is logged once, and the
 * hash in force alone does not tell anyone that the file on disk says something else).
 */
export interface PolicyRefusal {
  /** When the file on disk was first refused (ISO 8601); the same file refused again keeps it. */
  at: string;
  /** Why, in one short sentence: what the first problem says, as the log and policy check do. */
  reason: string;
}

/** How a reload waits for a file that is being written; tests shorten or replace the wait. */
export interface PolicySourceOptions {
  /** How far apart the two reads that must agree are (default 250 ms). */
  settleMs?: number;
  /** Reads before a file that keeps changing is given up on, until its next change (default 8). */
  maxReads?: number;
  /** Waits `ms`; a test injects its own so that nothing depends on real time. */
  sleep?: (ms: number) => Promise<void>;
  /** Checked against the policy (ACRBOT_APPROVAL_TTL); unknown, its longest. */
  limits?: PolicyLimits;
  /** How often to look for the file's folder to come back once it was removed (default 2 s). */
  rewatchMs?: number;
  /**
   * Told each warning of the file's policy (policy-warnings.ts): those the source is made with
   * (the policy in force at start), then those of each new file a reload takes, once each.
   */
  warn?: (warning: PolicyWarning, file: string) => void;
  /** The time a refusal is recorded at; a test injects its own clock. */
  now?: () => Date;
}

/** One read of the file: its text, or why it could not be read; `key` tells two reads apart. */
type Snapshot = { key: string; text: string } | { key: string; error: PolicyFileError };

const realSleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms).unref();
  });

/** Holds the current policy; {@link reload} re-reads the file. */
export class PolicySource implements PolicyProvider {
  private policy: Policy;
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;
  /** Looks for the folder to come back after it was removed (the watch on it then ended). */
  private rewatch: NodeJS.Timeout | undefined;
  /** Reloads run one at a time (a SIGHUP during a watcher's reload waits for it). */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly settleMs: number;
  private readonly maxReads: number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** The last refusal and the read it refused (`key`: the same file refused again keeps its time). */
  private refused: (PolicyRefusal & { key: string | undefined }) | undefined;

  /** `initial` is the policy in force at start, with the warnings of the file it was read from. */
  constructor(
    initial: PolicyLoad,
    private readonly file?: string,
    private readonly onReload: (result: PolicyReload) => void = () => undefined,
    private readonly options: PolicySourceOptions = {},
  ) {
    this.policy = initial.policy;
    this.settleMs = options.settleMs ?? 250;
    this.maxReads = Math.max(2, options.maxReads ?? 8);
    this.sleep = options.sleep ?? realSleep;
    this.reportWarnings(initial.warnings);
  }

  /** Passes `warnings`, of the policy read from the file, to the `warn` option. */
  private reportWarnings(warnings: readonly PolicyWarning[]): void {
    if (!this.file || !this.options.warn) return;
    for (const warning of warnings) this.options.warn(warning, this.file);
  }

  current(): Policy {
    return this.policy;
  }

  /** The last reload that refused the file on disk, until a reload takes a good one; else undefined. */
  refusal(): PolicyRefusal | undefined {
    return this.refused && { at: this.refused.at, reason: this.refused.reason };
  }

  /** True when there is a file to reload from. */
  get watching(): boolean {
    return this.file !== undefined;
  }

  /**
   * Re-reads the file (no-op without one) once it has stopped changing; keeps the old policy
   * when the new one is invalid or the file kept changing. Reloads run one after another.
   */
  reload(): Promise<PolicyReload> {
    const next = this.queue.then(() => this.reloadNow());
    // The caller gets this reload's failure through `next`; the queue only orders the next one.
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async reloadNow(): Promise<PolicyReload> {
    if (!this.file) return { ok: true, changed: false, policy: this.policy };
    let result: PolicyReload;
    // Only those of a file taken anew: an unchanged one (a watcher event, a SIGHUP) said them already.
    let warnings: readonly PolicyWarning[] = [];
    // The read refused, when it got that far (a file that kept changing has none).
    let key: string | undefined;
    try {
      const snapshot = await this.settled(this.file);
      key = snapshot.key;
      if ('error' in snapshot) throw snapshot.error;
      const changed = snapshot.key !== this.policy.hash;
      if (changed) {
        const loaded = loadPolicy(snapshot.text, this.file, this.options.limits);
        this.policy = loaded.policy;
        warnings = loaded.warnings;
      }
      result = { ok: true, changed, policy: this.policy };
      this.refused = undefined;
    } catch (err) {
      result = { ok: false, error: err as Error, policy: this.policy };
      const again = this.refused !== undefined && key !== undefined && this.refused.key === key;
      if (!again)
        this.refused = { at: (this.options.now?.() ?? new Date()).toISOString(), reason: refusalReason(err), key };
    }
    this.reportWarnings(warnings);
    this.onReload(result);
    return result;
  }

  /**
   * The file's text once two reads `settleMs` apart agree. A file being written in place can
   * be read half-way, and half a policy may well parse (a rule without its second approver):
   * the agreement is what says the writer is done. The text of the policy in force needs no
   * second read. A file that keeps changing for `maxReads` reads is an error; its next change
   * (a watcher event) or a SIGHUP tries again.
   */
  private async settled(file: string): Promise<Snapshot> {
    let previous = readSnapshot(file);
    if (previous.key === this.policy.hash) return previous;
    for (let reads = 1; reads < this.maxReads; reads++) {
      await this.sleep(this.settleMs);
      const next = readSnapshot(file);
      if (next.key === previous.key) return next;
      previous = next;
    }
    throw new PolicyFileError(file, [
      {
        line: 0,
        col: 0,
        path: '',
        message:
          `the file was still changing after ${this.maxReads} reads ${this.settleMs} ms apart, so it is not loaded yet; ` +
          'it is once it stays the same (replace the file by renaming a complete one over it to make a change at once)',
      },
    ]);
  }

  /**
   * Watches the file's directory (editors and ConfigMap mounts replace the file rather than
   * write it, which a watch on the file itself would miss) and reloads shortly after a change,
   * and once as the watch begins (the file may have changed since the policy in force was read).
   * A directory that is removed ends its watch for good (the kernel drops it), though a new one
   * of the same name may follow (a volume remounted, a deploy that recreates the folder): then
   * acrbot looks for it every `rewatchMs`, and once it is back watches it again and reloads.
   */
  watch(): void {
    if (!this.file || this.watcher || this.rewatch) return;
    const folder = dirname(this.file);
    const name = basename(this.file);
    try {
      // The folder watched is this one: one removed and made again under the same name is
      // another (its inode number may be reused; its birth time differs), which the old watch
      // never reports on. Linux reports the removal as an event named after the folder itself.
      const watched = folderIdentity(folder);
      this.watcher = watch(folder, (_event, changed) => {
        if (changed === basename(folder) || folderIdentity(folder) !== watched) return this.awaitFolder(folder);
        if (changed && changed !== name && !changed.startsWith('..')) return;
        this.reloadSoon();
      });
    } catch (err) {
      // Gone between the check and the watch (or never there): looked for until it is.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      return this.awaitFolder(folder);
    }
    this.watcher.on('error', () => this.awaitFolder(folder));
    this.watcher.unref();
    // The policy in force was read before the watch began (at start, well before the background
    // step watches): a change made in between sent no event, and would wait for the next change
    // or a SIGHUP while this instance kept the old policy. One reload settles it (a file that did
    // not change is no change).
    this.reloadSoon();
  }

  /**
   * The folder went away (or was replaced): the dead watch is dropped, and a timer waits for the
   * folder to be there (at once, when it was made again already).
   */
  private awaitFolder(folder: string): void {
    this.watcher?.close();
    this.watcher = undefined;
    if (this.rewatch) return;
    this.rewatch = setInterval(() => {
      if (!existsSync(folder)) return;
      clearInterval(this.rewatch);
      this.rewatch = undefined;
      // Watched again, it reloads what it holds now: written while nothing watched it.
      this.watch();
    }, this.options.rewatchMs ?? 2000);
    this.rewatch.unref();
  }

  private reloadSoon(): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.reload(), 100);
    this.debounce.unref();
  }

  /** Stops watching. */
  close(): void {
    if (this.debounce) clearTimeout(this.debounce);
    if (this.rewatch) clearInterval(this.rewatch);
    this.rewatch = undefined;
    this.watcher?.close();
    this.watcher = undefined;
  }
}

/** The longest first problem a refusal repeats: the card shows one sentence, the log and policy check all. */
const REASON_CHARS = 200;

/**
 * Why a reload refused the file, in one sentence for the policy card: where its first problem is
 * and what it says ("line 4, rules[0].match: fits no request: …"), and how many there are when
 * more than one, as the PolicyFileError says them (its place and words, never the file's path or
 * more of the file). Anything else is not described (it may say anything): the log has it.
 */
function refusalReason(err: unknown): string {
  if (!(err instanceof PolicyFileError) || err.problems.length === 0)
    return 'it could not be loaded; the log says why, under "approval policy not reloaded"';
  const [first] = err.problems;
  const message = shortenAtWord(first.message.replace(/[.\s]+$/, ''), REASON_CHARS);
  const where = first.line > 0 ? `line ${first.line}${first.path ? `, ${first.path}` : ''}` : '';
  const count = err.problems.length;
  if (count === 1) return where ? `${where}: ${message}` : message;
  return `${count} problems, the first${where ? ` at ${where}` : ''}: ${message}`;
}

/**
 * `text` cut to at most `max` characters and "…", between words: never inside a word (the card
 * shows it as a sentence), nor inside a parenthesis it would leave open, and without the comma
 * or semicolon the cut left at its end.
 */
function shortenAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max + 1);
  const space = cut.lastIndexOf(' ');
  // One word longer than the limit has no boundary to cut at: cut it, rather than show nothing.
  cut = space > 0 ? cut.slice(0, space) : cut.slice(0, max);
  const open = cut.lastIndexOf('(');
  if (open > 0 && open > cut.lastIndexOf(')')) cut = cut.slice(0, open);
  return `${cut.replace(/[\s,;:(]+$/, '')}…`;
}

/** Which folder is at `folder` (inode and birth time), or undefined when none is. */
function folderIdentity(folder: string): string | undefined {
  try {
    const stat = statSync(folder);
    return `${stat.ino}:${stat.birthtimeMs}`;
  } catch {
    // Not there (removed): the caller waits for it.
    return undefined;
  }
}

/** Reads the file once; an unreadable file is a snapshot too (two reads must agree on it). */
function readSnapshot(file: string): Snapshot {
  try {
    const text = readPolicyText(file);
    return { key: policyHash(text), text };
  } catch (err) {
    if (!(err instanceof PolicyFileError)) throw err;
    return { key: `error:${err.message}`, error: err };
  }
}

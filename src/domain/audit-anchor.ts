/**
 * Audit anchors: the chain head (seq, hash, MAC) published outside the store, as short signed
 * lines in an append-only place (an append blob in an immutable container). Whoever rewrites
 * the store, even with the audit key, cannot rewrite what was published before: `verify`
 * compares the store with every anchor and names where they disagree.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AuditEntry, AuditKey, BrokenVerdict, ChainVerdict, IntactVerdict } from './audit-chain';
import { UserFacingError } from './errors';

/** One published line. */
export interface AuditAnchor {
  v: 1;
  seq: number;
  hash: string;
  mac?: string;
  /** When it was published. */
  at: string;
  /** HMAC-SHA256 over the other fields under the audit key. */
  sig: string;
}

/** Where anchors go: appended, never rewritten. */
export interface AnchorLog {
  append(line: string): Promise<void>;
  /**
   * Every line published so far, oldest first. Throws {@link AnchorsUnavailableError} when the
   * place itself does not exist: an empty list there would read as "nothing to contradict".
   */
  lines(): Promise<string[]>;
  /**
   * The lines in batches, newest batch first (each oldest first within), read one batch at a
   * time: where only the newest anchor matters (the check at start and before each publication),
   * one read instead of every line. Nothing when the place does not exist (no anchor published
   * yet). Optional: without it, {@link lines} is read.
   */
  newestFirst?(): AsyncIterable<string[]>;
  /** Where the anchors are, for messages (never a key or connection string). */
  readonly location?: string;
}

/**
 * The anchors could not be checked (their container does not exist, or holds no anchor): the
 * store was NOT verified against them. Distinct from a broken chain: nothing was found wrong,
 * but nothing may be reported as intact either.
 */
export class AnchorsUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AnchorsUnavailableError';
  }
}

/** How many published anchors agreed with the store, and the newest seq they anchor. */
export interface AnchorAgreement {
  agree: number;
  upToSeq: number;
  /** When the newest anchor was published (its signed `at`). */
  newestAt: string;
  /**
   * Stretches with no anchor published for more than two intervals (checked with the interval
   * known, {@link verifyWithAnchors}'s freshness): entries written and cut in such a stretch
   * would not show, so the verdict says when anchoring paused instead of implying it never did.
   */
  pauses?: { from: string; to: string }[];
  /**
   * Set only when the log was checked as not live ({@link VerifyOptions}): no bot writes to it
   * now (a backup, a log retired by a store switch), so whether anchoring went on was not checked,
   * and entries past `upToSeq` are vouched for by no anchor.
   */
  notLive?: true;
  /**
   * Only when checked as not live: the newest published anchor lies past the log's end (its seq,
   * when published), and every anchor within the log agrees. The log is then a prefix of the
   * anchored log (a backup, or a copy cut short), never the whole of it; on a live log the same
   * store is a cut tail, BROKEN. `agree` counts the anchors within the log (`newestAt` is `''`
   * when none is).
   */
  prefixOf?: { seq: number; at: string };
}

/** The verdict of {@link verifyWithAnchors}: a break, or an intact chain that every anchor agrees with. */
export type AnchoredVerdict = BrokenVerdict | (IntactVerdict & { anchors: AnchorAgreement });

function sign(key: AuditKey, a: Omit<AuditAnchor, 'sig'>): string {
  return createHmac('sha256', key)
    .update(`acrbot-anchor-v1:${a.seq}:${a.hash}:${a.mac ?? ''}:${a.at}`)
    .digest('hex');
}

/** The line to publish for the current head. */
export function anchorLine(head: Pick<AuditEntry, 'seq' | 'hash' | 'mac'>, at: Date, key: AuditKey): string {
  const body: Omit<AuditAnchor, 'sig'> = { v: 1, seq: head.seq, hash: head.hash, mac: head.mac, at: at.toISOString() };
  return JSON.stringify({ ...body, sig: sign(key, body) });
}

/**
 * Checks the store against the anchors (after the chain itself verified). `entryAt` reads the
 * stored entry at a seq. Returns the chain verdict with the anchors' count when every anchor
 * agrees, else a break that names the first anchored seq whose stored entry differs (the
 * rewrite lies between the last agreeing anchor and it), a deleted tail, or a line that is
 * not a valid signed anchor. No lines agree vacuously (`agree: 0`): {@link verifyWithAnchors}
 * refuses that case.
 */
export async function checkAnchors(
  chain: ChainVerdict,
  lines: string[],
  entryAt: (seq: number) => Promise<Pick<AuditEntry, 'hash'> | undefined>,
  key: AuditKey,
  { notLive = false }: VerifyOptions = {},
): Promise<AnchoredVerdict> {
  if (!chain.intact) return chain;
  let agreed = 0;
  const anchors: AuditAnchor[] = [];
  for (const [i, line] of lines.entries()) {
    let a: AuditAnchor;
    try {
      a = JSON.parse(line) as AuditAnchor;
    } catch {
      return { intact: false, count: chain.count, brokenAtSeq: 0, problem: `anchor line ${i + 1} is not JSON` };
    }
    // The shape before the signature: it is made of the fields as text, so `"hash":["…"]` or
    // `"seq":"5"` keeps a valid one, and such a field would then be compared (a false break) or
    // looked up (a crash of the check) as if acrbot had written it. `null` is JSON too.
    const wrong = notAnAnchor(a);
    if (wrong)
      return {
        intact: false,
        count: chain.count,
        brokenAtSeq: isSeq(a?.seq) ? a.seq : 0,
        problem: `anchor line ${i + 1} is not an anchor as acrbot writes one (${wrong})`,
      };
    const expected = Buffer.from(sign(key, { v: 1, seq: a.seq, hash: a.hash, mac: a.mac, at: a.at }), 'hex');
    // Hex in the form acrbot writes: Buffer.from(…, 'hex') stops at the first other character.
    const given = HEX_64.test(String(a.sig)) ? Buffer.from(a.sig, 'hex') : Buffer.alloc(0);
    if (expected.length !== given.length || !timingSafeEqual(expected, given))
      return {
        intact: false,
        count: chain.count,
        brokenAtSeq: Number(a.seq) || 0,
        problem: `anchor line ${i + 1} has a bad signature (not written with the audit key)`,
      };
    anchors.push(a);
  }
  anchors.sort((x, y) => x.seq - y.seq);
  const checked: AuditAnchor[] = [];
  let prefixOf: AuditAnchor | undefined;
  for (const a of anchors) {
    // Not live, a log that ends before the anchors do is a backup or a copy cut short: the
    // anchors past its end (sorted, so all the rest) are what it lacks, not what contradicts it.
    if (a.seq > chain.count && notLive) {
      prefixOf = anchors[anchors.length - 1];
      break;
    }
    if (a.seq > chain.count)
      return {
        intact: false,
        count: chain.count,
        brokenAtSeq: chain.count + 1,
        problem: `the log ends at seq ${chain.count} but seq ${a.seq} was anchored at ${a.at} (entries were deleted)`,
      };
    const stored = await entryAt(a.seq);
    if (!stored || stored.hash !== a.hash)
      return {
        intact: false,
        count: chain.count,
        brokenAtSeq: a.seq,
        problem: `entry ${a.seq} differs from the anchor published at ${a.at}: the log was rewritten after seq ${agreed} (the last anchored entry that still agrees)`,
      };
    agreed = a.seq;
    checked.push(a);
  }
  // ISO times as acrbot writes them (checked above) sort as they read.
  const newestAt = checked.map((a) => a.at).reduce((x, y) => (y > x ? y : x), '');
  return {
    ...chain,
    anchors: {
      agree: checked.length,
      upToSeq: agreed,
      newestAt,
      ...(notLive && { notLive: true as const }),
      ...(prefixOf && { prefixOf: { seq: prefixOf.seq, at: prefixOf.at } }),
    },
  };
}

/**
 * The anchor with the highest seq among `lines` that acrbot wrote with `key`, or undefined. A line
 * that is not one (malformed, or not signed with the key) is passed over here: it proves nothing
 * about the store, and anyone who can append to the container could otherwise stop the bot with
 * one; verify reports such lines.
 */
export function newestAnchor(lines: readonly string[], key: AuditKey): AuditAnchor | undefined {
  let newest: AuditAnchor | undefined;
  for (const line of lines) {
    let a: unknown;
    try {
      a = JSON.parse(line);
    } catch {
      continue;
    }
    if (notAnAnchor(a)) continue;
    const anchor = a as AuditAnchor;
    const expected = Buffer.from(sign(key, anchor), 'hex');
    const given = HEX_64.test(String(anchor.sig)) ? Buffer.from(anchor.sig, 'hex') : Buffer.alloc(0);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) continue;
    if (!newest || anchor.seq >= newest.seq) newest = anchor;
  }
  return newest;
}

/**
 * Whether the store holds what `anchor` vouches for: its log reaches the anchored seq
 * (`headSeq`, 0 when empty) and the entry stored there (`stored`) has the anchored hash. False
 * for a store restored from a backup older than the anchor, or replaced by another.
 */
export function storeHoldsAnchored(
  anchor: Pick<AuditAnchor, 'seq' | 'hash'>,
  headSeq: number,
  stored: Pick<AuditEntry, 'hash'> | undefined,
): boolean {
  return anchor.seq <= headSeq && stored?.hash === anchor.hash;
}

/**
 * The published anchors vouch for entries the store does not hold ({@link storeHoldsAnchored}):
 * the store was restored from a backup, replaced, or rewritten. Writing on would reuse seqs the
 * anchors vouch for, and an anchor of the new head, once appended next to them (the log is
 * append-only), would make verify call the log rewritten for good. So acrbot does not start
 * (`start`), and the `audit.anchor` job publishes nothing (`publish`). User-facing: the report of
 * the failing job shows it (operators' words, for the platform team).
 */
export class AnchorsAheadError extends UserFacingError {
  constructor(
    readonly anchorSeq: number,
    readonly headSeq: number,
    details: { at: string; location?: string; differs: boolean; refusal: 'start' | 'publish' },
  ) {
    const store = headSeq === 0 ? "the store's audit log is empty" : `the store's audit log ends at seq ${headSeq}`;
    const why =
      details.refusal === 'start'
        ? 'acrbot does not start, so that it writes no entry under a seq those anchors vouch for and publishes no anchor that contradicts them'
        : 'acrbot publishes no anchor, so that none contradicting the published ones is added to that append-only log';
    super(
      'audit.anchorsAhead',
      `The audit store looks restored from a backup, or replaced: the anchors at ACRBOT_AUDIT_ANCHOR${details.location ? ` (${details.location})` : ''} vouch for entries this store does not hold (the newest anchor is at seq ${anchorSeq}, published ${details.at}; ${store}${details.differs ? `, and its entry ${anchorSeq} is another one` : ''}). ${why} (audit verify would call the log rewritten from then on, for good). Follow docs/operations.md, "Restoring, or changing the store": point ACRBOT_AUDIT_ANCHOR at a new container, and keep the old one with your export of the audit trail (together they are the record of what came before). If the store was not restored, npm run audit:verify names the first entry that differs from the anchors.`,
    );
    this.name = 'AnchorsAheadError';
  }
}

/** A hash, MAC or signature as acrbot writes it. */
const HEX_64 = /^[0-9a-f]{64}$/;
/** `at` as `Date.toISOString()` writes it. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function isSeq(seq: unknown): seq is number {
  return typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 1;
}

/** What makes a parsed line no anchor that {@link anchorLine} writes (the signature aside), or undefined. */
function notAnAnchor(a: unknown): string | undefined {
  if (a === null || typeof a !== 'object' || Array.isArray(a)) return 'not an object';
  const { v, seq, hash, mac, at } = a as Record<string, unknown>;
  if (v !== 1) return 'v is not 1';
  if (!isSeq(seq)) return 'seq is not a whole number from 1';
  if (typeof hash !== 'string' || !HEX_64.test(hash)) return 'hash is not 64 hex digits';
  if (mac !== undefined && (typeof mac !== 'string' || !HEX_64.test(mac))) return 'mac is not 64 hex digits';
  if (typeof at !== 'string' || !ISO_TIME.test(at)) return 'at is not an ISO time';
  return undefined;
}

/** What verification needs from an audit log: the chain check, and one stored entry by seq. */
export interface VerifiableAudit {
  verify(): Promise<ChainVerdict>;
  entryAt(seq: number): Promise<Pick<AuditEntry, 'hash' | 'ts'> | undefined>;
}

/**
 * How often anchors are published (ACRBOT_AUDIT_ANCHOR_INTERVAL), and the time now: with them,
 * {@link verifyWithAnchors} also checks that anchoring has not stopped.
 */
export interface AnchorFreshness {
  intervalMs: number;
  now: Date;
}

/** How {@link verifyWithAnchors} reads the log. */
export interface VerifyOptions {
  /**
   * The log is not the one a running bot writes to (a backup, a log retired by a store switch;
   * the operator says so: `audit:verify --not-live`). Anchoring that stopped is then expected, so
   * it is not checked, and a log that ends before the newest anchor, every anchor within it
   * agreeing, is reported as a prefix ({@link AnchorAgreement.prefixOf}) instead of BROKEN. Never
   * for the live log: there a log that ends early is a cut tail, and stopped anchoring the trace
   * of one.
   */
  notLive?: boolean;
}

/** Slack past two intervals before unanchored entries mean anchoring stopped (a slow job, clock skew). */
const ANCHOR_LATE_SLACK_MS = 5 * 60_000;

/**
 * The one store-against-anchors verification: the chain check, then every published anchor.
 * Chat `audit verify` and `npm run audit:verify` both run this function, so they give the same
 * verdict and name the same first entry that disagrees.
 *
 * A broken chain is reported as such without reading the anchors. Otherwise, when the anchors
 * cannot be read as anchors — their container is missing (a mistyped name) or holds no line
 * (also a brand-new deployment before its first `audit.anchor` run) — this throws
 * {@link AnchorsUnavailableError} instead of calling the store intact: the anchors are what
 * catch a rewrite by someone holding the audit key, and a check against nothing is no check.
 */
export async function verifyWithAnchors(
  audit: VerifiableAudit,
  anchors: Pick<AnchorLog, 'lines' | 'location'>,
  key: AuditKey,
  freshness?: AnchorFreshness,
  options: VerifyOptions = {},
): Promise<AnchoredVerdict> {
  // The anchors first: one published while the chain is read (an append and the audit.anchor
  // job landing in between) would name an entry past what was read, and an honest log would be
  // called broken. A failure to read them waits for the chain's verdict, which comes first.
  const read = await anchors.lines().then(
    (lines) => ({ lines }),
    (err: unknown) => ({ err }),
  );
  const chain = await audit.verify();
  if (!chain.intact) return chain;
  if ('err' in read) throw read.err;
  const { lines } = read;
  if (lines.length === 0)
    throw new AnchorsUnavailableError(
      `no anchors found${anchors.location ? ` in ${anchors.location}` : ''}: none has been published there yet (the bot publishes the first soon after start, once the log has an entry), or ACRBOT_AUDIT_ANCHOR names another container`,
    );
  const verdict = await checkAnchors(chain, lines, (seq) => audit.entryAt(seq), key, options);
  if (!freshness || !verdict.intact) return verdict;
  if (!options.notLive) await assertStillAnchoring(audit, verdict, freshness);
  const pauses = anchoringPauses(lines, freshness.intervalMs);
  return pauses.length ? { ...verdict, anchors: { ...verdict.anchors, pauses } } : verdict;
}

/**
 * The stretches between two anchors published more than two intervals apart (the bot stopped, or
 * its audit.anchor job held back and brought back): the lines were all checked by
 * {@link checkAnchors} before this reads their times.
 */
function anchoringPauses(lines: string[], intervalMs: number): { from: string; to: string }[] {
  const times = lines
    .map((line) => (JSON.parse(line) as AuditAnchor).at)
    .sort()
    .map((at) => ({ at, ms: Date.parse(at) }));
  const pauses: { from: string; to: string }[] = [];
  for (let i = 1; i < times.length; i++)
    if (times[i]!.ms - times[i - 1]!.ms > 2 * intervalMs + ANCHOR_LATE_SLACK_MS)
      pauses.push({ from: times[i - 1]!.at, to: times[i]!.at });
  return pauses;
}

/**
 * Entries past the newest anchor are what a store writer can still cut or rewrite unseen, for
 * one interval by design. When the oldest of them is more than two intervals old, anchoring has
 * stopped (the job failing, or moved far into the future by someone who can write the schedule):
 * the store is then not verified, and this throws {@link AnchorsUnavailableError} saying so. So it
 * does when the newest anchor itself is that old, entries past it or not: an anchor is published
 * every interval, so a stopped job whose unanchored entries were then cut, the head moved back
 * with them, leaves that trace alone (and a stopped bot cannot vouch for its store either).
 */
async function assertStillAnchoring(
  audit: VerifiableAudit,
  verdict: IntactVerdict & { anchors: AnchorAgreement },
  { intervalMs, now }: AnchorFreshness,
): Promise<void> {
  const { upToSeq, newestAt } = verdict.anchors;
  const minutes = Math.round(intervalMs / 60_000);
  const late = (at: string) => now.getTime() - Date.parse(at) > 2 * intervalMs + ANCHOR_LATE_SLACK_MS;
  const first = verdict.count > upToSeq ? await audit.entryAt(upToSeq + 1) : undefined;
  if (first && late(first.ts))
    throw new AnchorsUnavailableError(
      `anchoring has stopped: the newest anchor is at seq ${upToSeq}, and seq ${upToSeq + 1}-${verdict.count}, written from ${first.ts} on, are not anchored although anchors are published every ${minutes} min. Check the bot's audit.anchor job and its logs`,
    );
  // An anchor is published every interval, a new entry or not: an old newest anchor means the job
  // stopped (or the bot did), and entries written since and then cut (the head moved back with
  // them) would leave no trace past it.
  if (late(newestAt))
    throw new AnchorsUnavailableError(
      `anchoring has stopped or the bot is not running: the newest anchor was published at ${newestAt}, although one is published every ${minutes} min whether or not entries were written, so entries written since could have been cut unseen. Check the bot's audit.anchor job and its logs`,
    );
}

/**
 * What a verdict covers beyond the hash chain, as clauses for the CLI's line and the chat card
 * (one wording for both): how many entries were MAC-checked and from which seq, and how many
 * anchors agree. `keyed`: whether the verifier had the audit key (undefined: not known, then
 * MACs are mentioned only when the verdict itself shows they were checked).
 */
export function verdictCoverage(verdict: IntactVerdict & { anchors?: AnchorAgreement }, keyed?: boolean): string[] {
  const out: string[] = [];
  const unkeyed = verdict.unkeyedPrefix ?? 0;
  if (verdict.count > 0 && (keyed || unkeyed > 0)) {
    out.push(
      unkeyed === 0
        ? verdict.count === 1
          ? 'MACs checked on its 1 entry'
          : `MACs checked on all ${verdict.count} entries`
        : unkeyed >= verdict.count
          ? 'no entry carries a MAC'
          : `${macRange(unkeyed + 1, verdict.count)} (${seqRange(1, unkeyed)} ${unkeyed === 1 ? 'predates' : 'predate'} the audit key, vouched for by the operator's adoption at seq ${unkeyed + 1} and pinned to it by the hash chain)`,
    );
  }
  if (verdict.anchors) {
    const { agree, upToSeq, newestAt, pauses, notLive } = verdict.anchors;
    out.push(
      agree === 0
        ? 'no published anchor falls within the log'
        : `${agree} ${agree === 1 ? 'anchor agrees' : 'anchors agree'}, the newest at seq ${upToSeq}, published ${newestAt}`,
    );
    // Live, entries past the newest anchor are at most an interval old (else not verified at all).
    if (notLive && verdict.count > upToSeq)
      out.push(
        `the log ends at seq ${verdict.count}: ${upToSeq === 0 ? 'none of its entries is vouched for by an anchor' : `entries after seq ${upToSeq} are not vouched for by any anchor`}`,
      );
    if (notLive)
      out.push(
        'checked as a log no bot writes to now: whether anchoring went on was not checked, so entries written after the newest anchor and cut would not show',
      );
    if (pauses?.length) {
      const longest = pauses.reduce((x, y) =>
        Date.parse(y.to) - Date.parse(y.from) > Date.parse(x.to) - Date.parse(x.from) ? y : x,
      );
      out.push(
        `anchoring paused ${pauses.length === 1 ? 'once' : `${pauses.length} times`} (${pauses.length === 1 ? '' : 'the longest '}from ${longest.from} to ${longest.to}): entries written and cut then would not show`,
      );
    }
  }
  return out;
}

/** `seq 3` or `seq 3-7`. */
function seqRange(from: number, to: number): string {
  return from === to ? `seq ${from}` : `seq ${from}-${to}`;
}

/** `MACs checked on 1 entry, seq 3` or `MACs checked on 2 entries, seq 3-4`. */
function macRange(from: number, to: number): string {
  const n = to - from + 1;
  return `MACs checked on ${n} ${n === 1 ? 'entry' : 'entries'}, ${seqRange(from, to)}`;
}

/**
 * The audit trail's hash chain (G11): each entry's hash covers the previous entry's hash and
 * the canonical JSON of the entry, so a modified, deleted, reordered or inserted entry
 * breaks the chain at the first place it touches.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { scrubSecrets } from './secret-text';
import { cutText, wellFormed } from './text';

/** What a caller records. */
export interface AuditEvent {
  actor: { objectId: string; name: string };
  tenantId: string;
  action: string;
  requestId?: string;
  targetIds: string[];
  outcome: string;
  /** Justification, rejection reason or error sentence; bounded, single-line. */
  detail?: string;
  /** `x-ms-request-id`s of Azure writes and similar correlation ids. */
  correlationIds?: string[];
  /** Decisions: the policy rule that made or allowed them, and the policy's sha256 (G18). */
  ruleId?: string;
  policyHash?: string;
  /**
   * Makes the append idempotent: an append whose key is already in the log returns the entry
   * stored under it instead of appending another (a retried write whose first attempt may have
   * been stored, an `audit.retry` job run twice). Content cannot tell a repeat from a second
   * real event, a key can. The store checks it atomically with the append (a unique index, or a
   * key row in the entry's transaction), so it holds across instances. Give a fresh random value
   * per event (at most {@link IDEMPOTENCY_KEY_MAX} characters), never a value derived from user
   * input; absent on events that need no deduplication.
   *
   * It is part of the entry, so it is hashed and MAC'd: the store's key index (a column, a key
   * row) is only a lookup of the entry that carries the key. Someone who can write the store
   * but not sign entries can then neither make a pending append look done (an index pointing at
   * an entry without that key is refused, and verify reports the mismatch) nor pass a repeat off
   * as a second event (deleting the index lets the event be appended again, but both copies
   * carry the key, and {@link verifyChain} names the repeat). An entry without a key hashes
   * exactly as before keys existed.
   */
  idempotencyKey?: string;
  /**
   * What a later step of acrbot reads back from the entry, as lists of ids named by `facts`'
   * keys (`deleted`: what a revocation attempt deleted before a DELETE of its was refused), so
   * that step never parses the detail's words. acrbot's own values (ids from its records, never
   * user text), normalised as the detail is. Part of the entry, so hashed and MAC'd; an entry
   * without it hashes exactly as before it existed.
   */
  facts?: Record<string, string[]>;
}

/** Longest {@link AuditEvent.idempotencyKey}: escaped into a Tables row key, it stays under the service's 1 KiB. */
export const IDEMPOTENCY_KEY_MAX = 128;

/** An entry as stored. */
export interface AuditEntry extends AuditEvent {
  seq: number;
  ts: string;
  prevHash: string;
  hash: string;
  /**
   * HMAC-SHA256 of `hash` under the audit key (ACRBOT_AUDIT_KEY), which is never in the store:
   * whoever can write the store but not read the key cannot recompute it. Absent on entries
   * written before the key existed (those are checked by the hash chain only).
   */
  mac?: string;
}

/** The audit key: bytes kept outside the store (Key Vault in Azure, a git-ignored file in the sandbox). */
export type AuditKey = Buffer;

/** MAC of an entry's hash (the hash already covers its content and the previous hash). */
export function macOf(key: AuditKey, hash: string): string {
  return createHmac('sha256', key).update(`acrbot-audit-v1:${hash}`).digest('hex');
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** A MAC as acrbot writes it: 64 lower-case hex digits, nothing before or after. */
const MAC_SHAPE = /^[0-9a-f]{64}$/;

/**
 * The entry an operator's adoption of an unsigned log appends, signed, right after it
 * (ACRBOT_AUDIT_ADOPT_UNSIGNED): the only thing that vouches for an unkeyed prefix.
 */
export const KEY_ADOPTION_ACTION = 'audit.key.enabled';

/** Hash that precedes the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** Longest detail kept, so one entry cannot flood a card or the store. */
export const AUDIT_DETAIL_MAX = 500;

/** JSON with object keys sorted at every level: the same entry always hashes the same. */
export function canonicalJson(value: unknown): string {
  return sortedJson(asStored(value, ''));
}

/**
 * A value as JSON.stringify stores it (its toJSON, a boxed primitive unboxed), or undefined
 * where JSON has none (a function, a symbol): what a store's JSON holds is what a hash is
 * recomputed from, so an entry must hash as that, or the memory store (which keeps the objects)
 * and SQLite or Tables (which keep their JSON) would judge one entry differently.
 */
function asStored(value: unknown, key: string): unknown {
  if (value !== null && (typeof value === 'object' || typeof value === 'bigint')) {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') value = (toJSON as (key: string) => unknown).call(value, key);
    if (value instanceof Number || value instanceof String || value instanceof Boolean) return value.valueOf();
  }
  return typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
}

/** canonicalJson of a value already read by {@link asStored}. */
function sortedJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    // As JSON stores it: an element that is undefined (or a function) is null there.
    for (let i = 0; i < value.length; i++) {
      const v = asStored(value[i], String(i));
      out += (i ? ',' : '') + (v === undefined ? 'null' : sortedJson(v));
    }
    return `${out}]`;
  }
  // Plain loops: verify() runs this for every entry of the log.
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const v = asStored(record[key], key);
    if (v === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${sortedJson(v)}`;
    first = false;
  }
  return `${out}}`;
}

/**
 * Control characters but tab, CR and LF (which {@link auditText} escapes its own way): the rest
 * of C0 (ESC, BEL, backspace), DEL and C1 (U+009B is a whole CSI). Raw in a detail, they reach
 * the terminal of whoever reads the trail or its export (a cleared line, a hidden link).
 */
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

/** `\uXXXX` for a control character: visible, and what it was stays readable. */
const escapedControl = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * Normalises free text for the trail, the one way any text enters an entry: well-formed (a lone
 * surrogate as U+FFFD, {@link wellFormed}), secrets inside it scrubbed (an SDK's error message
 * can quote a SAS URL or a connection string; G12), CR/LF escaped as `\r` `\n` and other control
 * characters as `\uXXXX` (not removed, so nothing is hidden), bounded ({@link AUDIT_DETAIL_MAX},
 * cut between whole characters, {@link cutText}). Scrubbed first, while line breaks still mark a
 * kubeconfig's lines and before the cut could split a secret from its name. Applied when an entry
 * is built, before it is hashed, never when one is verified: verify recomputes hashes of the text
 * as stored, so entries stored before an escape (or the mending of lone surrogates, or the cut
 * between graphemes) was added still verify.
 */
export function auditText(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const escaped = scrubSecrets(wellFormed(text))
    .replace(/\r/g, '\\r')
    .replace(/\n/g, '\\n')
    .replace(CONTROL_CHARACTERS, escapedControl);
  if (escaped.length <= AUDIT_DETAIL_MAX) return escaped;
  // Between whole characters (cutText): never half a surrogate pair (an emoji in a reason: a lone
  // one reads as U+FFFD in a card and is escaped as `\ud83d` in a JSON export), half a flag, part
  // of an emoji sequence or a letter without its accent. Here only, when an entry is written:
  // entries cut by code units before keep the text they were hashed with.
  return `${cutText(escaped, AUDIT_DETAIL_MAX - 1)}…`;
}

/**
 * A string of an entry as chainEntry stores it: well-formed ({@link wellFormed}: a lone surrogate,
 * from a cut by code units or forged card data, as U+FFFD). Such text reads as U+FFFD anyway, the
 * JSONL export writes it as `\ud83d`, and a reader of the log or its export that decodes it into
 * UTF-8 (a SIEM, a script) refuses the line or mends it itself, after which the entry is no longer
 * what was hashed. Anything but a string is copied as it is, as chainEntry always copied it.
 */
function storedString<T>(value: T): T {
  return (typeof value === 'string' ? wellFormed(value) : value) as T;
}

/**
 * Computes the hash of an entry from its content and the previous hash: of its fields exactly as
 * they are (stored), never cleaned again (see {@link chainEntry}).
 */
export function hashEntry(entry: Omit<AuditEntry, 'hash'>): string {
  // The MAC is computed over the hash, so it is not part of what is hashed.
  const { prevHash, mac: _mac, ...content } = entry;
  return createHash('sha256').update(prevHash).update(canonicalJson(content)).digest('hex');
}

/**
 * Builds the next entry of the chain. Every string in it is well-formed ({@link storedString},
 * {@link auditText}) before it is hashed, so what is hashed is what any store keeps and reads
 * back. Cleaned here, when an entry is built, and never in {@link hashEntry} or
 * {@link verifyChain}: they recompute hashes from the fields as stored, and an entry written
 * before this cleaning (a lone surrogate in its detail) must verify as it was hashed. The
 * idempotency key is the exception, kept as given: it is never user text, and the stores look
 * up the event's own key (a cleaned one would be another key, and a retry would append again).
 */
export function chainEntry(
  event: AuditEvent,
  previous: { seq: number; hash: string } | undefined,
  ts: Date,
  key?: AuditKey,
): AuditEntry {
  // Only the known fields, copied: a caller's extra properties (possibly sensitive) never reach the trail.
  // Built once, in the stored key order, and hashed in place (see entryContentJson) instead of
  // being copied three times around a generic canonicalJson: every request writes several entries.
  const entry = {
    actor: { objectId: storedString(event.actor.objectId), name: storedString(event.actor.name) },
    tenantId: storedString(event.tenantId),
    action: storedString(event.action),
    requestId: storedString(event.requestId),
    targetIds: Array.from(event.targetIds, storedString),
    outcome: storedString(event.outcome),
    correlationIds: event.correlationIds ? Array.from(event.correlationIds, storedString) : undefined,
    detail: auditText(event.detail),
  } as AuditEntry;
  // Absent (not undefined-valued) on entries without a rule, so their hashes are unchanged. Cut
  // between whole characters (cutText: no half of a pair at the cut), a lone surrogate elsewhere mended.
  if (event.ruleId !== undefined) entry.ruleId = wellFormed(cutText(String(event.ruleId), 64));
  if (event.policyHash !== undefined) entry.policyHash = wellFormed(cutText(String(event.policyHash), 64));
  // Refused rather than cut: a shortened key would be another key.
  if (event.idempotencyKey !== undefined) entry.idempotencyKey = checkedIdempotencyKey(event.idempotencyKey);
  // Copied value by value, as the detail is: only strings, scrubbed and bounded.
  if (event.facts !== undefined)
    entry.facts = Object.fromEntries(
      Object.entries(event.facts).map(([name, ids]) => [name, ids.map((id) => auditText(String(id)) as string)]),
    );
  entry.seq = (previous?.seq ?? 0) + 1;
  entry.ts = ts.toISOString();
  entry.prevHash = previous?.hash ?? GENESIS_HASH;
  // The same hash as hashEntry(entry without hash and mac), which verifyChain recomputes.
  entry.hash = createHash('sha256').update(entry.prevHash).update(entryContentJson(entry)).digest('hex');
  if (key) entry.mac = macOf(key, entry.hash);
  return entry;
}

/** The key as stored, or an error for one no store can index (empty, too long, not a string). */
export function checkedIdempotencyKey(key: unknown): string {
  if (typeof key !== 'string' || key.length === 0 || key.length > IDEMPOTENCY_KEY_MAX)
    throw new Error(`an audit idempotency key is a string of 1-${IDEMPOTENCY_KEY_MAX} characters`);
  return key;
}

/**
 * The entry a store's key index names for `key`, as an append under that key returns it: the
 * entry must carry the key itself (it is hashed and MAC'd, the index is not), else the index
 * was altered and the append is refused rather than treated as done.
 */
export function storedUnderKey(entry: unknown, key: string): AuditEntry {
  if (entry === null || typeof entry !== 'object' || (entry as AuditEntry).idempotencyKey !== key)
    throw new Error(
      "the audit log's index names an entry for this idempotency key that does not carry it (the index was modified); nothing was appended",
    );
  return entry as AuditEntry;
}

/** The keys {@link hashEntry} hashes of an entry chainEntry builds, in canonicalJson's (sorted) order. */
const CONTENT_KEYS = [
  'action',
  'actor',
  'correlationIds',
  'detail',
  'facts',
  'idempotencyKey',
  'outcome',
  'policyHash',
  'requestId',
  'ruleId',
  'seq',
  'targetIds',
  'tenantId',
  'ts',
] as const;
/** The keys of the actor chainEntry copies, sorted. */
const ACTOR_KEYS = ['name', 'objectId'] as const;
const keyJson = (keys: readonly string[]) => keys.map((k) => `${JSON.stringify(k)}:`);
const CONTENT_KEY_JSON = keyJson(CONTENT_KEYS);
const ACTOR_KEY_JSON = keyJson(ACTOR_KEYS);

/**
 * `canonicalJson` of what {@link hashEntry} hashes for an entry chainEntry builds (every field
 * but prevHash, hash and mac), walking the known keys in sorted order instead of copying the
 * entry and sorting its keys: the same string (test/unit/audit-chain.test.ts compares them).
 */
function entryContentJson(entry: AuditEntry): string {
  return knownKeysJson(entry as unknown as Record<string, unknown>, CONTENT_KEYS, CONTENT_KEY_JSON, (key, value) =>
    key === 'actor' ? knownKeysJson(value as Record<string, unknown>, ACTOR_KEYS, ACTOR_KEY_JSON) : sortedJson(value),
  );
}

/**
 * canonicalJson of an object whose own keys are exactly `sortedKeys` (those JSON leaves out,
 * such as undefined, are left out, as there); values are passed on as {@link asStored} reads them.
 */
function knownKeysJson(
  record: Record<string, unknown>,
  sortedKeys: readonly string[],
  sortedKeyJson: readonly string[],
  valueJson: (key: string, value: unknown) => string = (_key, value) => sortedJson(value),
): string {
  let out = '{';
  let first = true;
  for (let i = 0; i < sortedKeys.length; i++) {
    const v = asStored(record[sortedKeys[i]], sortedKeys[i]);
    if (v === undefined) continue;
    out += `${first ? '' : ','}${sortedKeyJson[i]}${valueJson(sortedKeys[i], v)}`;
    first = false;
  }
  return `${out}}`;
}

/** A chain that verified. */
export interface IntactVerdict {
  intact: true;
  count: number;
  /**
   * Checked with the key only: how many leading entries carry no MAC (written before the key
   * existed), so MACs were checked from seq `unkeyedPrefix + 1` on. Absent when every entry
   * carries one, or when no key was given (then nothing was MAC-checked).
   */
  unkeyedPrefix?: number;
}

/** A chain that did not verify, and the first seq where that shows. */
export interface BrokenVerdict {
  intact: false;
  count: number;
  brokenAtSeq: number;
  problem: string;
  /**
   * Set when the only fault found is that, with the key given, no entry carries a MAC: the
   * chain itself verified. The audit CLI uses it to tell a log the sandbox key file never
   * signed from a rewrite (see src/audit-cli/main.ts).
   */
  noMacs?: true;
}

/** Result of verifying a chain. */
export type ChainVerdict = IntactVerdict | BrokenVerdict;

/** Options of {@link verifyChain}. */
export interface VerifyOptions {
  /**
   * False when `entries` are only the start of the log (a caller that stopped at an unreadable
   * row): the rule that the newest entry must carry a MAC then does not apply, since the
   * newest entry was not seen. Default true.
   */
  wholeLog?: boolean;
}

/** Why the entries and the recorded head disagree, at the first seq where they do. */
function headMismatch(head: ChainHead, count: number): BrokenVerdict {
  if (head.seq > count)
    return {
      intact: false,
      count,
      brokenAtSeq: count + 1,
      problem: `the log ends at seq ${count} but the recorded head is seq ${head.seq} (entries were deleted from the end)`,
    };
  if (head.seq < count)
    return {
      intact: false,
      count,
      brokenAtSeq: head.seq + 1,
      problem: `the log goes on to seq ${count} past its recorded head, seq ${head.seq} (entries were added without moving the head, or the head was rolled back)`,
    };
  return {
    intact: false,
    count,
    brokenAtSeq: count,
    problem: `the newest entry, seq ${count}, is not the one the recorded head names (the entry or the head was replaced)`,
  };
}

/** A seq as acrbot writes it: a whole number from 1. */
function isSeq(seq: unknown): seq is number {
  return typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 1;
}

/** What an entry has instead of a seq, for a problem sentence: its value and kind, bounded. */
function shownSeq(seq: unknown): string {
  if (seq === undefined) return 'has no seq';
  if (typeof seq === 'string')
    return `has the seq ${JSON.stringify(seq.length > 40 ? `${seq.slice(0, 40)}...` : seq)} (a string)`;
  if (typeof seq === 'number') return `has the seq ${seq}`;
  const kind =
    seq === null ? 'null' : Array.isArray(seq) ? 'an array' : typeof seq === 'object' ? 'an object' : `a ${typeof seq}`;
  return `has a seq that is ${kind}`;
}

/** The latest seq and hash, kept apart from the entries so a truncated tail is noticed. */
export interface ChainHead {
  seq: number;
  hash: string;
}

/**
 * Verifies entries in seq order (streamed, so 100k entries stay cheap in memory). Detects
 * content changes (hash), deletions and insertions (seq gaps, prevHash mismatch),
 * reordering, and — given the recorded head — a deleted tail.
 *
 * With the key, MACs too: entries without one are accepted only as a prefix (written before
 * the key existed), and the newest entry must carry one. A valid MAC on the newest entry
 * vouches for its hash and, through the prevHash links, for every entry before it; without
 * that rule a log rewritten from seq 1 with no MACs at all would be one long "unkeyed prefix".
 *
 * An idempotency key that appears on two entries breaks the chain at the second: the store's
 * key index, which makes a repeated append return the first, was tampered with.
 */
export function verifyChain(
  entries: Iterable<AuditEntry>,
  head?: ChainHead,
  key?: AuditKey,
  options: VerifyOptions = {},
): ChainVerdict {
  let expectedSeq = 1;
  let keyed = false;
  let unkeyedPrefix = 0;
  let prevHash = GENESIS_HASH;
  let count = 0;
  // Seq of each idempotency key seen (only entries that carry one: a few per request).
  const keySeqs = new Map<unknown, number>();
  for (const entry of entries) {
    count++;
    // Stored text that is not an entry (a null, a number): altered, and said so, not a crash of
    // the check (whose exit would read as "not verified").
    if (entry === null || typeof entry !== 'object')
      return {
        intact: false,
        count,
        brokenAtSeq: expectedSeq,
        problem: 'the stored entry is not an audit entry (it was modified)',
      };
    // A seq acrbot never writes (a string, 1e21, none) is named as stored, at the entry's position:
    // as brokenAtSeq it would print as `seq 2` for "2", or as `seq undefined`.
    if (!isSeq(entry.seq))
      return {
        intact: false,
        count,
        brokenAtSeq: expectedSeq,
        problem: `the entry in the place of seq ${expectedSeq} ${shownSeq(entry.seq)}, not a whole number from 1 as acrbot writes (it was modified)`,
      };
    if (entry.seq !== expectedSeq)
      return {
        intact: false,
        count,
        brokenAtSeq: entry.seq,
        problem: `expected seq ${expectedSeq}, found ${entry.seq} (an entry was deleted, inserted or reordered)`,
      };
    if (entry.prevHash !== prevHash)
      return { intact: false, count, brokenAtSeq: entry.seq, problem: 'prevHash does not match the previous entry' };
    const { hash, ...rest } = entry;
    let computed: string;
    try {
      computed = hashEntry(rest);
    } catch (err) {
      // Stored values no entry has (nested thousands deep: the recursion overflows) are
      // reported at their seq, not a crash of the check (whose exit would read as "not verified").
      return {
        intact: false,
        count,
        brokenAtSeq: entry.seq,
        problem: `the entry cannot be hashed (${(err as Error).message}): it holds values acrbot never writes (it was modified)`,
      };
    }
    if (computed !== hash)
      return {
        intact: false,
        count,
        brokenAtSeq: entry.seq,
        problem: 'content does not match its hash (the entry was modified)',
      };
    if (key) {
      // Once entries carry MACs, every later one must: a missing MAC is a forged entry that
      // could not be signed (an unkeyed prefix from before the key existed is accepted).
      if (entry.mac === undefined) {
        if (keyed)
          return {
            intact: false,
            count,
            brokenAtSeq: entry.seq,
            problem: 'the entry has no MAC although earlier entries have one (it was written without the audit key)',
          };
        unkeyedPrefix++;
      } else if (typeof entry.mac !== 'string' || !MAC_SHAPE.test(entry.mac) || !sameHex(entry.mac, macOf(key, hash))) {
        return {
          intact: false,
          count,
          brokenAtSeq: entry.seq,
          problem: keyed
            ? 'the MAC does not match (the entry or the chain was rewritten without the audit key)'
            : // No MAC has matched yet: a key that is not the log's fails here too, and looks the same.
              'the MAC does not match, and no earlier one did (the chain was rewritten from here without the audit key, or this is not the key the log was written with: check ACRBOT_AUDIT_KEY)',
        };
      } else {
        // An unkeyed prefix is vouched for only by the operator's adoption entry, signed right
        // after it (ACRBOT_AUDIT_ADOPT_UNSIGNED). Anything else signed there is a bot with the key
        // appending onto a log someone rewrote without MACs while it ran: the forgery.
        if (!keyed && unkeyedPrefix > 0 && entry.action !== KEY_ADOPTION_ACTION)
          return {
            intact: false,
            count,
            brokenAtSeq: entry.seq,
            problem: `the first signed entry follows ${unkeyedPrefix} unsigned ones without the operator's ${KEY_ADOPTION_ACTION} entry, so nothing vouches for them (a rewrite that left the MACs out, appended to by a bot with the key, looks like this)`,
          };
        keyed = true;
      }
    }
    if (entry.idempotencyKey !== undefined) {
      // Every store appends a key once (its index is checked in the append's transaction), so a
      // repeat means the index was removed and the event appended again: one event, twice.
      const first = keySeqs.get(entry.idempotencyKey);
      if (first !== undefined)
        return {
          intact: false,
          count,
          brokenAtSeq: entry.seq,
          problem: `the entry repeats the idempotency key of seq ${first} (acrbot appends an event under its key once: the store's index of that key was removed and the event written again)`,
        };
      keySeqs.set(entry.idempotencyKey, entry.seq);
    }
    prevHash = hash;
    expectedSeq++;
  }
  if (head && (head.seq !== count || head.hash !== prevHash)) return headMismatch(head, count);
  if (key && count > 0 && !keyed && options.wholeLog !== false) {
    // A bot with the key signs every append, so its newest entry has a MAC. None at all means
    // the log was rewritten (or written) without the key: nothing in it is vouched for.
    return {
      intact: false,
      count,
      brokenAtSeq: 1,
      noMacs: true,
      problem: `${count === 1 ? 'its 1 entry carries no MAC' : `none of the ${count} entries carries a MAC`} although the audit key is set (a bot with the key signs every append): the log was rewritten without the key, or written by a bot that did not have it`,
    };
  }
  return key && unkeyedPrefix > 0 ? { intact: true, count, unkeyedPrefix } : { intact: true, count };
}

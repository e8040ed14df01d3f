/**
 * Audit anchors: the chain head (seq, hash, MAC) published outside the store, as short signed
 * lines in an append-only place (an append blob in an immutable container). Whoever rewrites
 * the store, even with the audit key, cannot rewrite what was published before: `verify`
 * compares the store with every anchor and names where they disagree.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AuditEntry, AuditKey, ChainVerdict } from './audit-chain';

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
  /** Every line published so far, oldest first. */
  lines(): Promise<string[]>;
}

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
 * stored entry at a seq. Returns the chain verdict when every anchor agrees, else a break that
 * names the first anchored seq whose stored entry differs (the rewrite lies between the last
 * agreeing anchor and it), a deleted tail, or a line that is not a valid signed anchor.
 */
export async function checkAnchors(
  chain: ChainVerdict,
  lines: string[],
  entryAt: (seq: number) => Promise<Pick<AuditEntry, 'hash'> | undefined>,
  key: AuditKey,
): Promise<ChainVerdict> {
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
    const expected = Buffer.from(sign(key, { v: 1, seq: a.seq, hash: a.hash, mac: a.mac, at: a.at }), 'hex');
    const given = Buffer.from(String(a.sig), 'hex');
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
  for (const a of anchors) {
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
  }
  return chain;
}

/** What verification needs from an audit log: the chain check, and one stored entry by seq. */
export interface VerifiableAudit {
  verify(): Promise<ChainVerdict>;
  entryAt(seq: number): Promise<Pick<AuditEntry, 'hash'> | undefined>;
}

/**
 * The one store-against-anchors verification: the chain check, then every published anchor.
 * Chat `audit verify` and `npm run audit:verify` both run this function, so they give the same
 * verdict and name the same first entry that disagrees.
 */
export async function verifyWithAnchors(
  audit: VerifiableAudit,
  anchors: Pick<AnchorLog, 'lines'>,
  key: AuditKey,
): Promise<ChainVerdict> {
  const chain = await audit.verify();
  return checkAnchors(chain, await anchors.lines(), (seq) => audit.entryAt(seq), key);
}

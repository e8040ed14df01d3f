/**
 * What an attempt of a revocation deleted before one of its DELETEs was refused, as its `failed`
 * `access.revoke.credential` entry records it, and as the next attempt reads it back (acrbot's own
 * record, G15): the ids of the parts deleted, in the entry's `facts` (hashed with the rest of it),
 * never the detail's words. Entries written before `facts` existed are read by their detail, so a
 * revocation an older release began still finishes.
 */
import { type AuditEvent, auditText } from '../domain/audit-chain';
import { factSays } from '../domain/audit-fact';
import { roleAssignmentId } from '../domain/credential-target-ids';
import type { CredentialRef } from '../domain/secret-credential';
import { registryResourceId } from '../domain/typed-names';
import type { CredentialPart } from './credential-deletion';

/** The `facts` key of the ids a `failed` entry's attempt deleted. */
const DELETED_FACT = 'deleted';

/** A part as entries name it: `token x`, `scope map y`, `role assignment z`, `application a`. */
export function named({ part, name }: CredentialPart): string {
  return `${part} ${name}`;
}

/**
 * The id of `ref`'s `part` as the entries about it name it (credential-target-ids.ts): a token's
 * or scope map's ARM id, a role assignment's on the recorded scope, an application's object id.
 */
function partId(ref: CredentialRef, { part, name }: CredentialPart): string {
  if (ref.kind === 'token') {
    const registry = registryResourceId({
      subscriptionId: ref.subscriptionId,
      resourceGroup: ref.resourceGroup,
      name: ref.registry,
    });
    return `${registry}/${part === 'token' ? 'tokens' : 'scopeMaps'}/${name}`;
  }
  return part === 'role assignment' && ref.roleAssignment ? roleAssignmentId(ref.roleAssignment.scope, name) : name;
}

/**
 * What the `failed` entry of a DELETE of `failed` refused, after `deleted` went through in the
 * same attempt, says: its detail (`the DELETE of token x was refused: nothing deleted; …`, or
 * `token x deleted; the DELETE of scope map y was refused; …`), for people, and the ids deleted
 * (none too) in its `facts`, for {@link deletedByEarlierAttempts}.
 */
export function refusedEntry(
  ref: CredentialRef,
  deleted: readonly CredentialPart[],
  failed: CredentialPart,
): { detail: string; facts: Record<string, string[]> } {
  const refused = `the DELETE of ${named(failed)} was refused`;
  const next = 'the next attempt of this revocation looks again';
  const detail = deleted.length
    ? `${deleted.map((step) => `${named(step)} deleted`).join(', ')}; ${refused}; ${next}`
    : `${refused}: nothing deleted; ${next}`;
  return { detail, facts: { [DELETED_FACT]: deleted.map((step) => partId(ref, step)) } };
}

/**
 * The names of `ref`'s parts (its token, or its role assignment: what a refused DELETE can come
 * after) that the `failed` entries in `before` say their attempt deleted. An entry with `facts`
 * is read by its ids alone; one without (written before they existed) by its detail's words
 * ({@link refusedEntry}'s, unchanged since).
 */
export function deletedByEarlierAttempts(ref: CredentialRef, before: readonly AuditEvent[]): Set<string> {
  const parts: CredentialPart[] =
    ref.kind === 'token'
      ? [{ part: 'token', name: ref.tokenName }]
      : ref.roleAssignment
        ? [{ part: 'role assignment', name: ref.roleAssignment.name }]
        : [];
  const found = new Set<string>();
  // Each id as the audit log stores it (auditText: scrubbed, bounded), or one that looks like a
  // secret (a resource group named like a JWT, `eyJhb.cd.ef`) would never match what is stored.
  const stored = (p: CredentialPart) => auditText(partId(ref, p)) as string;
  for (const entry of before) {
    if (entry.outcome !== 'failed') continue;
    for (const p of parts)
      if (factSays(entry, DELETED_FACT, stored(p), (d) => d.startsWith(`${named(p)} deleted`))) found.add(p.name);
  }
  return found;
}

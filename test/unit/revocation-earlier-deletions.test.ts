/**
 * What a later attempt of a revocation learns an earlier one deleted before a DELETE of its was
 * refused: the ids in the `failed` entry's facts, and, for an entry written before facts were
 * kept (a release upgraded mid-revocation), the words of its detail.
 */
import type { AuditEvent } from '../../src/domain/audit-chain';
import { credentialTargetIds } from '../../src/domain/credential-target-ids';
import type { CredentialRef } from '../../src/domain/secret-credential';
import { deletedByEarlierAttempts, refusedEntry } from '../../src/flows/earlier-deletions';
import { MemoryAuditLog } from '../../src/integrations/store/memory-stores';
import { FakeClock } from './support/fake-clock';
import { auditEvent } from './support/requests';

const TOKEN: CredentialRef = {
  kind: 'token',
  subscriptionId: 's1',
  resourceGroup: 'rg-acr',
  registry: 'contosoacr',
  tokenName: 'acrbot-r-7',
  scopeMapName: 'acrbot-r-7',
};
const SCOPE = '/subscriptions/s1/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/contosoacr';
const SP: CredentialRef = {
  kind: 'sp',
  applicationId: 'app-object-1',
  appId: 'app-id-1',
  roleAssignment: { name: 'ra-1', scope: SCOPE },
} as CredentialRef;

/** A `failed` entry of this revocation, as stored. */
const failed = (fields: Partial<AuditEvent>): AuditEvent =>
  auditEvent(1, { action: 'access.revoke.credential', outcome: 'failed', ...fields });

describe('the failed entry', () => {
  test("names what was deleted in its detail and its facts, by the ids the credential's entries use", () => {
    const entry = refusedEntry(TOKEN, [{ part: 'token', name: 'acrbot-r-7' }], {
      part: 'scope map',
      name: 'acrbot-r-7',
    });
    expect(entry).toEqual({
      detail:
        'token acrbot-r-7 deleted; the DELETE of scope map acrbot-r-7 was refused; the next attempt of this revocation looks again',
      facts: { deleted: [credentialTargetIds(TOKEN)[0]] },
    });
    const sp = refusedEntry(SP, [{ part: 'role assignment', name: 'ra-1' }], {
      part: 'application',
      name: 'app-object-1',
    });
    expect(sp.facts).toEqual({ deleted: [credentialTargetIds(SP)[1]] });
  });

  test('with nothing deleted: an empty list, so the next attempt never reads the words', () => {
    expect(refusedEntry(TOKEN, [], { part: 'token', name: 'acrbot-r-7' }).facts).toEqual({ deleted: [] });
  });
});

describe('the next attempt reads', () => {
  test("the facts' ids, whatever the detail's words", () => {
    const facts = { deleted: [credentialTargetIds(TOKEN)[0]] };
    expect(deletedByEarlierAttempts(TOKEN, [failed({ detail: 'worded otherwise', facts })])).toEqual(
      new Set(['acrbot-r-7']),
    );
    const spFacts = { deleted: [credentialTargetIds(SP)[1]] };
    expect(deletedByEarlierAttempts(SP, [failed({ detail: undefined, facts: spFacts })])).toEqual(new Set(['ra-1']));
  });

  test('facts that name nothing of this credential: nothing, even where the words would say otherwise', () => {
    const words = 'token acrbot-r-7 deleted; the DELETE of scope map acrbot-r-7 was refused; …';
    expect(deletedByEarlierAttempts(TOKEN, [failed({ detail: words, facts: { deleted: [] } })]).size).toBe(0);
    // Another registry's token of that name is not this one.
    const other = { deleted: [credentialTargetIds({ ...TOKEN, registry: 'otheracr' } as CredentialRef)[0]] };
    expect(deletedByEarlierAttempts(TOKEN, [failed({ facts: other })]).size).toBe(0);
    // Stored values that are not a list of ids (altered) say nothing deleted.
    const odd = { deleted: 'x' } as unknown as Record<string, string[]>;
    expect(deletedByEarlierAttempts(TOKEN, [failed({ detail: words, facts: odd })]).size).toBe(0);
  });

  test('an entry written before facts were kept: its detail, as those releases wrote it', () => {
    const token = failed({
      detail:
        'token acrbot-r-7 deleted; the DELETE of scope map acrbot-r-7 was refused; the next attempt of this revocation looks again',
    });
    expect(deletedByEarlierAttempts(TOKEN, [token])).toEqual(new Set(['acrbot-r-7']));
    const sp = failed({
      detail:
        'role assignment ra-1 deleted; the DELETE of application app-object-1 was refused; the next attempt of this revocation looks again',
    });
    expect(deletedByEarlierAttempts(SP, [sp])).toEqual(new Set(['ra-1']));
    const none = failed({
      detail:
        'the DELETE of token acrbot-r-7 was refused: nothing deleted; the next attempt of this revocation looks again',
    });
    expect(deletedByEarlierAttempts(TOKEN, [none]).size).toBe(0);
  });

  test('the ids as the audit log stored them: scrubbed, as a resource group named like a JWT is', async () => {
    // A valid resource group name that the secret scrubber takes for a token: stored `[redacted]`.
    const group = 'eyJhb.cd.ef';
    const token = { ...TOKEN, resourceGroup: group } as CredentialRef;
    const scope = SCOPE.replace('rg-acr', group);
    const sp = { ...SP, roleAssignment: { name: 'ra-1', scope } } as CredentialRef;
    const audit = new MemoryAuditLog(new FakeClock('2026-11-30T09:00:00.000Z'));
    for (const [ref, part] of [
      [token, { part: 'token', name: 'acrbot-r-7' }],
      [sp, { part: 'role assignment', name: 'ra-1' }],
    ] as const) {
      const entry = refusedEntry(ref, [part], { part: 'application', name: 'app-object-1' });
      await audit.append(failed({ ...entry, requestId: 'req-1' }));
    }
    const stored = await audit.forRequest('req-1');
    // Secrets never in the audit: the group is not stored as it was.
    expect(JSON.stringify(stored)).not.toContain(group);
    expect(deletedByEarlierAttempts(token, stored)).toEqual(new Set(['acrbot-r-7']));
    expect(deletedByEarlierAttempts(sp, stored)).toEqual(new Set(['ra-1']));
  });

  test('only failed entries', () => {
    const facts = { deleted: [credentialTargetIds(TOKEN)[0]] };
    const deleting = auditEvent(1, { action: 'access.revoke.credential', outcome: 'deleting', facts });
    expect(deletedByEarlierAttempts(TOKEN, [deleting]).size).toBe(0);
  });
});

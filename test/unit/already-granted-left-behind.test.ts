/**
 * "Access already exists" for an assignment acrbot's own ended grants left behind (an orphan
 * watch that ended, a revocation that kept it): the answer names those grants and says how to
 * have the assignment removed, instead of only "no request was created" (G15: only grants whose
 * records say they created that very assignment are named, and none whose access ended before
 * Azure made it). And the Scope row shows a resource group that imitates another with the
 * look-alike warning, as the request card does.
 */
import type { GrantPlan } from '../../src/domain/plan';
import { endedGrantsBehind } from '../../src/flows/grant-planner';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { alreadyGrantedCard } from '../../src/views/message-view';
import { grantPlan, ownRoleAssignment, pendingRequest, REGISTRY_ID, SUB } from './support/requests';

const plan = grantPlan();
const own = ownRoleAssignment(plan);

/** An ended grant of the pair; `created` its records of what it made. */
const ended = (id: string, created: string | undefined, extra: object = {}) =>
  pendingRequest({
    id,
    state: 'revoked',
    plan,
    created: created
      ? [{ kind: 'roleAssignment', id: created, name: plan.roleAssignmentName, recordedAt: '2025-01-15T10:00:00.000Z' }]
      : [],
    ...extra,
  });

const text = (card: unknown) => JSON.stringify(card);

describe('an assignment left behind by ended acrbot grants', () => {
  test('the grants whose records say they created it are found; others are not', async () => {
    const store = new MemoryRequestStore();
    await store.create(ended('R-MADEIT01', own.id.toUpperCase()));
    await store.create(ended('R-ELSEWHR1', `${own.id}0`));
    await store.create(
      ended('R-FOUNDIT1', own.id, { outcome: { summary: 'x', azureRequestIds: [], alreadyPresent: true } }),
    );
    await store.create(ended('R-NOTHING1', undefined));
    expect((await endedGrantsBehind(store, plan, own)).map((r) => r.id)).toEqual(['R-MADEIT01']);
    // Not acrbot's name for this pair: nothing of acrbot's is behind it.
    expect(await endedGrantsBehind(store, plan, { ...own, name: '11111111-0000-4000-8000-000000000000' })).toEqual([]);
  });

  test("a grant whose access ended before Azure made the assignment did not leave it (someone else's at the same id)", async () => {
    const store = new MemoryRequestStore();
    const end = '2026-11-30T11:00:00.000Z';
    await store.create(ended('R-ENDEDAT1', own.id, { access: { durationMs: 3_600_000, revokedAt: end } }));
    // The revocation's start is the end when recorded (a retry keeps it; revokedAt comes later).
    await store.create(
      ended('R-BEGANAT1', own.id, {
        access: { durationMs: 3_600_000, revokingSince: end, revokedAt: '2026-12-01T11:00:00.000Z' },
      }),
    );
    const ids = async (createdOn?: string) =>
      (await endedGrantsBehind(store, plan, { ...own, createdOn })).map((r) => r.id).sort();
    // Made a day after both ended: neither grant made it.
    expect(await ids('2026-12-01T10:00:00.000Z')).toEqual([]);
    // Made before the end, or within minutes of clock skew after it: theirs.
    expect(await ids('2026-11-30T10:00:00.000Z')).toEqual(['R-BEGANAT1', 'R-ENDEDAT1']);
    expect(await ids('2026-11-30T11:04:00.000Z')).toEqual(['R-BEGANAT1', 'R-ENDEDAT1']);
    // Azure's answer without the time: the records alone decide, as before.
    expect(await ids(undefined)).toEqual(['R-BEGANAT1', 'R-ENDEDAT1']);
  });

  test('the answer names them and the command that removes the assignment', () => {
    const card = text(alreadyGrantedCard(plan, own, false, undefined, undefined, [ended('R-MADEIT01', own.id)]));
    expect(card).toContain(
      'no request was created. The role assignment is left from acrbot grant R-MADEIT01, which has ended',
    );
    expect(card).toContain(`az role assignment delete --ids ${own.id}`);
    expect(card).toContain('aks-prod then cannot pull until a new grant is approved');
  });

  test('without such grants it reads as before', () => {
    expect(text(alreadyGrantedCard(plan, own, false))).not.toContain('az role assignment delete');
  });
});

describe("the Scope row's resource group", () => {
  test('one that imitates another is marked, as on the request card', () => {
    const group = 'rg-pr\u043Ed'; // a Cyrillic о
    const registry = { ...plan.registry, resourceGroup: group };
    const scoped: GrantPlan = { ...plan, registry: { ...registry, id: REGISTRY_ID.replace('rg-acr', group) } };
    const card = text(
      alreadyGrantedCard(scoped, { ...own, scope: `/subscriptions/${SUB}/resourceGroups/${group}` }, false),
    );
    expect(card).toMatch(/resource group rg-pr\u043Ed \u26a0 mixes Latin and Cyrillic letters/);
  });
});

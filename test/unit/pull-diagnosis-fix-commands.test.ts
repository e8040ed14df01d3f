/**
 * The commands in `check`'s fix work when copied: they name the cluster and registry as the asker
 * did (those forms resolved to this pair), else by resource id, never by a bare name that may fit
 * two; and `extend` is offered only to the request's requester, the one person it accepts (anyone
 * may ask `check`). Anyone else is told whose it is and offered a grant of their own. Someone of
 * another tenant than acrbot's own, whose every request is refused (own-tenant.ts), is offered
 * neither, and told what they can do instead, in their expiry reminder's words.
 */
import type { AcrbotRequestRef } from '../../src/domain/access-inventory';
import { OTHER_TENANT_ASK_INSTEAD, OTHER_TENANT_NO_EXTEND_NOTE } from '../../src/domain/other-tenant-words';
import { checkCard } from '../../src/views/access-view';
import { acrPullOnRegistry, cell, cluster, diagnose, registry } from './support/pull-diagnosis-fixtures';

const RILEY = '0a000000-0000-4000-8000-00000000aaa1';
const OSCAR = '0a000000-0000-4000-8000-00000000ccc3';

/** acrbot request R-AAAAAAAA of `requesterName`, ending within days: the one to extend. */
function ending(requesterName = 'Riley Requester'): AcrbotRequestRef {
  return {
    requestId: 'R-AAAAAAAA',
    requesterName,
    requesterId: RILEY,
    approvedBy: 'Alex',
    expiresAt: '2027-01-03T00:00:00Z',
    state: 'expiring',
  };
}

const expiringCell = (ref: AcrbotRequestRef = ending()) =>
  cell([acrPullOnRegistry({ requests: [ref], state: 'expiring' })]);

describe('the fix names the pair as a command must', () => {
  test('how the asker typed them: bare names, a group/name, an id', () => {
    expect(diagnose({ typedAs: { cluster: 'name', registry: 'name' } }).fix).toBe(
      '@acrbot grant aks-prod contosoacr REASON…',
    );
    expect(diagnose({ typedAs: { cluster: 'groupAndName', registry: 'id' } }).fix).toBe(
      `@acrbot grant rg/aks-prod ${registry.id} REASON…`,
    );
  });

  test('not known how they were typed: by resource id, both in a grant and in a pull secret', () => {
    expect(diagnose({ typedAs: undefined }).fix).toBe(`@acrbot grant ${cluster.id} ${registry.id} REASON…`);
    expect(diagnose({ typedAs: undefined, identity: undefined, identityProblem: 'no kubelet identity' }).fix).toBe(
      `Use a pull secret instead: @acrbot secret ${cluster.id} ${registry.id} --namespace NAMESPACE REASON…`,
    );
  });

  test('a registry named by id keeps its id in the secret command too', () => {
    const d = diagnose({
      typedAs: { cluster: 'name', registry: 'id' },
      identity: undefined,
      identityProblem: 'no kubelet identity',
    });
    expect(d.fix).toBe(
      `Use a pull secret instead: @acrbot secret aks-prod ${registry.id} --namespace NAMESPACE REASON…`,
    );
  });
});

describe('extending the grant the pull ends with', () => {
  test('its requester is given the extend command (object ids compared without letter case)', () => {
    const fix = 'Extend before it ends: @acrbot extend R-AAAAAAAA REASON…';
    expect(diagnose({ cell: expiringCell(), askedBy: RILEY }).fix).toBe(fix);
    expect(diagnose({ cell: expiringCell(), askedBy: RILEY.toUpperCase() }).fix).toBe(fix);
  });

  test('anyone else is told who can extend it and offered a grant of their own, not a command extend refuses', () => {
    const d = diagnose({ cell: expiringCell(), askedBy: OSCAR });
    expect(d.fix).toBe(
      'Only Riley Requester, who asked for R-AAAAAAAA, can extend it before it ends; to keep pulling after that, ask for your own grant: @acrbot grant aks-prod contosoacr REASON…',
    );
    expect(d.fix).not.toContain('@acrbot extend');
  });

  test('nobody known to be asking (operators’ tools): nobody is taken for the requester', () => {
    expect(diagnose({ cell: expiringCell(), askedBy: undefined }).fix).toMatch(/^Only Riley Requester, who asked/);
  });

  test('the requester’s name is user text: the card shows it inert', () => {
    const d = diagnose({ cell: expiringCell(ending('Riley [see](https://evil.example)')), askedBy: OSCAR });
    const card = JSON.stringify(checkCard(d, false));
    expect(card).toContain('Only Riley [see] (https:\u200b//evil.example), who asked for R-AAAAAAAA');
    expect(card).not.toContain('](https://');
  });
});

describe("extending it, asked by someone of another tenant than acrbot's own", () => {
  test('its requester is told why it cannot be extended and what to do instead, as their reminder says', () => {
    const d = diagnose({ cell: expiringCell(), askedBy: RILEY, askerOfOtherTenant: true });
    expect(d.fix).toBe(OTHER_TENANT_NO_EXTEND_NOTE);
    expect(d.fix).not.toContain('@acrbot');
  });

  test('anyone else of that tenant is offered neither extend nor a grant, both refused there', () => {
    const d = diagnose({ cell: expiringCell(), askedBy: OSCAR, askerOfOtherTenant: true });
    expect(d.fix).toBe(
      `Neither an extension of R-AAAAAAAA nor a grant of your own can be asked for from another tenant: acrbot's approvers are people of its own organisation's directory, so nobody can approve either from there. ${OTHER_TENANT_ASK_INSTEAD}`,
    );
    expect(d.fix).not.toContain('@acrbot');
  });

  test("acrbot's own tenant's requester is still given the extend command", () => {
    expect(diagnose({ cell: expiringCell(), askedBy: RILEY, askerOfOtherTenant: false }).fix).toBe(
      'Extend before it ends: @acrbot extend R-AAAAAAAA REASON…',
    );
  });
});

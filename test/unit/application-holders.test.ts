/**
 * foreignHolders: everything that can act as an application besides acrbot (G15): owners other
 * than acrbot's own service principal (by object id), federated identity credentials, passwords
 * acrbot did not record, certificates, and the service principal's own owners and credentials.
 */
import {
  foreignHolders,
  foreignHoldersSentence,
  type ApplicationHoldings,
  type OwnHoldings,
} from '../../src/domain/application-holders';

const OWN_SP = '0a000000-0000-4000-8000-00000000b07a';
const OTHER_SP = '11111111-1111-4111-8111-111111111111';
const USER = '22222222-2222-4222-8222-222222222222';
const SP_ID = '33333333-3333-4333-8333-333333333333';
const KEY_OURS = '44444444-4444-4444-8444-444444444444';
const KEY_FOREIGN = '55555555-5555-4555-8555-555555555555';
const KEY_MARKED = '66666666-6666-4666-8666-666666666666';
const FIC_ID = '77777777-7777-4777-8777-777777777777';

/** An application held by acrbot alone: its own service principal owns both, one recorded password. */
function clean(): ApplicationHoldings {
  return {
    owners: [{ id: OWN_SP, type: 'servicePrincipal' }],
    passwordKeyIds: [KEY_OURS],
    passwordDisplayNames: { [KEY_OURS]: 'acrbot image pull r-1 marker' },
    certificateKeyIds: [],
    federatedCredentials: [],
    servicePrincipal: {
      id: SP_ID,
      owners: [{ id: OWN_SP, type: 'servicePrincipal' }],
      passwordKeyIds: [],
      certificateKeyIds: [],
    },
  };
}

const own: OwnHoldings = { servicePrincipalId: OWN_SP, passwordKeyIds: [KEY_OURS], passwordMarkers: ['marker-1'] };

describe('foreignHolders', () => {
  it('finds none on an application acrbot alone holds', () => {
    expect(foreignHolders(clean(), own)).toEqual([]);
    expect(foreignHoldersSentence(foreignHolders(clean(), own))).toBeUndefined();
  });

  it('compares object and key ids case-insensitively', () => {
    const holdings = clean();
    holdings.owners = [{ id: OWN_SP.toUpperCase(), type: 'servicePrincipal' }];
    holdings.passwordKeyIds = [KEY_OURS.toUpperCase()];
    expect(foreignHolders(holdings, own)).toEqual([]);
  });

  it("takes a sole service principal owner that is not acrbot's for a foreign holder", () => {
    const holdings = clean();
    holdings.owners = [{ id: OTHER_SP, type: 'servicePrincipal' }];
    expect(foreignHolders(holdings, own)).toEqual([{ kind: 'applicationOwner', id: OTHER_SP }]);
  });

  it('takes a person among the owners for a foreign holder', () => {
    const holdings = clean();
    holdings.owners.push({ id: USER, type: 'user' });
    expect(foreignHolders(holdings, own)).toEqual([{ kind: 'applicationOwner', id: USER }]);
  });

  it('takes an application with no owner for one acrbot does not hold', () => {
    const holdings = clean();
    holdings.owners = [];
    expect(foreignHolders(holdings, own)).toEqual([{ kind: 'noOwner' }]);
  });

  it('takes any federated identity credential for a foreign holder (acrbot creates none)', () => {
    const holdings = clean();
    holdings.federatedCredentials = [
      {
        id: FIC_ID,
        name: 'ci',
        issuer: 'https://token.actions.githubusercontent.com',
        subject: 'repo:x/y:ref:refs/heads/main',
      },
    ];
    expect(foreignHolders(holdings, own)).toEqual([
      {
        kind: 'federatedCredential',
        id: FIC_ID,
        issuer: 'https://token.actions.githubusercontent.com',
        subject: 'repo:x/y:ref:refs/heads/main',
      },
    ]);
  });

  it('takes a password acrbot did not record for a foreign holder, but not one carrying its recorded marker', () => {
    const holdings = clean();
    holdings.passwordKeyIds.push(KEY_FOREIGN, KEY_MARKED);
    holdings.passwordDisplayNames = {
      ...holdings.passwordDisplayNames,
      [KEY_FOREIGN]: 'marker-2',
      [KEY_MARKED]: 'marker-1',
    };
    expect(foreignHolders(holdings, own)).toEqual([{ kind: 'applicationPassword', id: KEY_FOREIGN }]);
  });

  it('takes any certificate on the application for a foreign holder', () => {
    const holdings = clean();
    holdings.certificateKeyIds = [KEY_FOREIGN];
    expect(foreignHolders(holdings, own)).toEqual([{ kind: 'applicationCertificate', id: KEY_FOREIGN }]);
  });

  it("takes the service principal's own owners other than acrbot for foreign holders", () => {
    const holdings = clean();
    holdings.servicePrincipal!.owners.push({ id: USER, type: 'user' }, { id: OTHER_SP, type: 'servicePrincipal' });
    expect(foreignHolders(holdings, own)).toEqual([
      { kind: 'servicePrincipalOwner', id: USER },
      { kind: 'servicePrincipalOwner', id: OTHER_SP },
    ]);
  });

  it('accepts a service principal without owners', () => {
    const holdings = clean();
    holdings.servicePrincipal!.owners = [];
    expect(foreignHolders(holdings, own)).toEqual([]);
  });

  it('takes any password or certificate on the service principal itself for a foreign holder', () => {
    const holdings = clean();
    // Even a key id acrbot recorded: acrbot adds passwords to the application only.
    holdings.servicePrincipal!.passwordKeyIds = [KEY_OURS];
    holdings.servicePrincipal!.certificateKeyIds = [KEY_FOREIGN];
    expect(foreignHolders(holdings, own)).toEqual([
      { kind: 'servicePrincipalPassword', id: KEY_OURS },
      { kind: 'servicePrincipalCertificate', id: KEY_FOREIGN },
    ]);
  });

  it('fails closed when the service principal was not read', () => {
    const holdings = clean();
    delete holdings.servicePrincipal;
    expect(foreignHolders(holdings, own)).toEqual([{ kind: 'servicePrincipalUnread' }]);
  });
});

describe('foreignHoldersSentence', () => {
  it('names kinds and ids, never issuers, subjects or names', () => {
    const holdings = clean();
    holdings.federatedCredentials = [
      { id: FIC_ID, name: '<at>evil</at>', issuer: 'https://evil.example', subject: '**bold**' },
    ];
    holdings.servicePrincipal!.passwordKeyIds = [KEY_FOREIGN];
    const sentence = foreignHoldersSentence(foreignHolders(holdings, own));
    expect(sentence).toBe(
      `it has a federated identity credential acrbot did not create (${FIC_ID}) and a password on its service principal, which acrbot never adds (${KEY_FOREIGN})`,
    );
    expect(sentence).not.toMatch(/evil|bold/);
  });

  it('counts many of a kind and shows three ids at most', () => {
    const ids = [1, 2, 3, 4, 5].map((n) => `${n}${n}${n}${n}${n}${n}${n}${n}-0000-4000-8000-000000000000`);
    const sentence = foreignHoldersSentence(ids.map((id) => ({ kind: 'applicationOwner' as const, id })));
    expect(sentence).toBe(`it has 5 owners other than acrbot (${ids.slice(0, 3).join(', ')}, and 2 more)`);
  });

  it('leaves out an id that is no GUID', () => {
    expect(foreignHoldersSentence([{ kind: 'applicationOwner', id: 'not a guid' }])).toBe(
      'it has an owner other than acrbot',
    );
  });
});

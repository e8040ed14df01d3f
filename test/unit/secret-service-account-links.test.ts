/**
 * What acrbot's records keep of the service accounts it linked a pull secret to (G15): each
 * account's uid, carried over by a write that replaces another request's secret object, and a
 * link whose result nobody could tell, whose entry the revocation still takes out if it is there.
 */
import type { Outcome } from '../../src/domain/request';
import {
  acrbotServiceAccountEntries,
  serviceAccountLinksAfterWrite,
  serviceAccountUidsOf,
} from '../../src/domain/secret-ownership';
import { pendingRequest, secretPlan } from './support/requests';

const plan = (serviceAccount?: string) => ({ ...secretPlan(), serviceAccount });
const written = (serviceAccount: string | undefined, secret: Partial<NonNullable<Outcome['secret']>>) =>
  pendingRequest({
    state: 'succeeded',
    plan: plan(serviceAccount),
    outcome: {
      summary: 'ok',
      azureRequestIds: [],
      secret: { action: 'created', serviceAccountPatched: false, ...secret },
    },
  });

describe('the entries the revocation takes out', () => {
  test('a link of unknown result counts as acrbot’s, besides those it added', () => {
    const request = written('default', {
      serviceAccounts: ['builder'],
      serviceAccountLinks: { builder: { uid: 'u-b' }, default: { uid: 'u-d', unknown: true } },
    });
    expect(acrbotServiceAccountEntries(request)).toEqual(['builder', 'default']);
    expect(serviceAccountUidsOf(request)).toEqual({ builder: 'u-b', default: 'u-d' });
  });

  test('records without links: by name, no uid', () => {
    const request = written('default', { serviceAccountPatched: true });
    expect(acrbotServiceAccountEntries(request)).toEqual(['default']);
    expect(serviceAccountUidsOf(request)).toEqual({});
  });
});

describe('the links a write records', () => {
  test('its own patch with the uid it read; a replaced request’s uids for the entries it carries over', () => {
    const replaced = written('default', {
      serviceAccountPatched: true,
      serviceAccounts: ['default'],
      serviceAccountLinks: { default: { uid: 'u-d' } },
    });
    expect(
      serviceAccountLinksAfterWrite(plan('builder'), { patched: true, uid: 'u-b' }, ['default', 'builder'], replaced),
    ).toEqual({ default: { uid: 'u-d' }, builder: { uid: 'u-b' } });
  });

  test('an unknown link is recorded as such (not when the entry is acrbot’s already)', () => {
    expect(
      serviceAccountLinksAfterWrite(plan('default'), { patched: false, uid: 'u-d', unknown: true }, [], undefined),
    ).toEqual({
      default: { uid: 'u-d', unknown: true },
    });
    expect(
      serviceAccountLinksAfterWrite(plan('default'), { patched: false, unknown: true }, ['default'], undefined),
    ).toBeUndefined();
  });

  test('nothing linked, nothing recorded', () => {
    expect(
      serviceAccountLinksAfterWrite(plan('default'), { patched: false, uid: 'u-d' }, [], undefined),
    ).toBeUndefined();
    expect(serviceAccountLinksAfterWrite(plan(undefined), { patched: false }, [], undefined)).toBeUndefined();
  });
});

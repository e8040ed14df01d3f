/**
 * G15: when Azure made a request's token, as its outcome recorded it, and the comparison that
 * tells acrbot's token from one deleted and made again under its name.
 */
import type { AccessRequest } from '../../src/domain/request';
import { type CredentialRef, encodeCredentialRef, sameTokenCreation } from '../../src/domain/secret-credential';
import { recordedTokenCreation } from '../../src/domain/secret-ownership';
import { pendingRequest, secretPlan, SUB } from './support/requests';

const token = (over: Partial<Extract<CredentialRef, { kind: 'token' }>> = {}): CredentialRef => ({
  kind: 'token',
  subscriptionId: SUB,
  resourceGroup: 'rg-acr',
  registry: 'contosoacr',
  tokenName: 'acrbot-r-7k2m9qxa',
  ...over,
});

const withOutcomeRef = (credentialRef: string | undefined): AccessRequest =>
  pendingRequest({
    state: 'succeeded',
    plan: secretPlan(),
    outcome: { summary: 'done', azureRequestIds: [], credentialRef },
  });

describe('sameTokenCreation', () => {
  test('the same instant, however ARM wrote it', () => {
    expect(sameTokenCreation('2026-11-30T10:00:00.000Z', '2026-11-30T10:00:00Z')).toBe(true);
    expect(sameTokenCreation('2026-11-30T10:00:00.000Z', '2026-11-30T11:00:00+01:00')).toBe(true);
  });
  test('another instant, none, or no date at all is not shown to be the same token', () => {
    expect(sameTokenCreation('2026-11-30T10:00:00.000Z', '2026-11-30T10:00:00.001Z')).toBe(false);
    expect(sameTokenCreation('2026-11-30T10:00:00.000Z', undefined)).toBe(false);
    expect(sameTokenCreation('not a date', 'not a date')).toBe(false);
  });
});

describe('recordedTokenCreation', () => {
  const at = '2026-11-30T10:00:00.000Z';
  test('the date the outcome recorded for the same token, whatever the case of its names', () => {
    const stored = withOutcomeRef(encodeCredentialRef(token({ creationDate: at, registry: 'ContosoACR' })));
    expect(recordedTokenCreation(stored, token())).toBe(at);
  });
  test('none for a record written before the date was kept, another token, a clean-up list, or an sp credential', () => {
    expect(recordedTokenCreation(withOutcomeRef(encodeCredentialRef(token())), token())).toBeUndefined();
    const other = withOutcomeRef(encodeCredentialRef(token({ creationDate: at, tokenName: 'acrbot-r-other' })));
    expect(recordedTokenCreation(other, token())).toBeUndefined();
    expect(
      recordedTokenCreation(withOutcomeRef(JSON.stringify([token({ creationDate: at })])), token()),
    ).toBeUndefined();
    expect(recordedTokenCreation(withOutcomeRef(undefined), token())).toBeUndefined();
    const sp: CredentialRef = { kind: 'sp', applicationId: 'a', appId: 'b' };
    expect(recordedTokenCreation(withOutcomeRef(encodeCredentialRef(token({ creationDate: at }))), sp)).toBeUndefined();
  });
});

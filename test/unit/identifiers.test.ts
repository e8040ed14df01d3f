import { ACRBOT_UUID_NAMESPACE, isRequestId, newRequestId, roleAssignmentName } from '../../src/domain/identifiers';
import { ROLE_IDS } from '../../src/domain/roles';
import { REGISTRY_ID } from './support/requests';

const PRINCIPAL = '0d000000-0000-4000-8000-0000000000d1';
const UUID_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('roleAssignmentName', () => {
  const name = roleAssignmentName(REGISTRY_ID, PRINCIPAL, ROLE_IDS.acrPull);

  test('is a UUID v5 (RFC 4122 variant)', () => {
    expect(name).toMatch(UUID_V5);
  });

  test('is fixed forever for the same inputs (namespace pinned)', () => {
    expect(ACRBOT_UUID_NAMESPACE).toBe('8d5e2a52-6a6c-4c0e-9d59-0b1f3c1a7e21');
    expect(name).toBe('d0460f83-96e1-55b1-9cb0-e0cf87822ceb');
  });

  test.each([
    ['scope upper-cased', REGISTRY_ID.toUpperCase(), PRINCIPAL, ROLE_IDS.acrPull],
    [
      'scope with lower-case resourcegroups',
      REGISTRY_ID.replace('resourceGroups', 'resourcegroups'),
      PRINCIPAL,
      ROLE_IDS.acrPull,
    ],
    ['principal upper-cased', REGISTRY_ID, PRINCIPAL.toUpperCase(), ROLE_IDS.acrPull],
    ['role upper-cased', REGISTRY_ID, PRINCIPAL, ROLE_IDS.acrPull.toUpperCase()],
  ])('case-insensitive: %s gives the same name', (_n, scope, principal, role) => {
    expect(roleAssignmentName(scope, principal, role)).toBe(name);
  });

  test.each([
    ['a different role', REGISTRY_ID, PRINCIPAL, ROLE_IDS.repositoryReader],
    ['a different principal', REGISTRY_ID, '0d000000-0000-4000-8000-0000000000d4', ROLE_IDS.acrPull],
    ['a different scope', REGISTRY_ID.replace('contosoacr', 'contosoabac'), PRINCIPAL, ROLE_IDS.acrPull],
  ])('%s gives a different name', (_n, scope, principal, role) => {
    const other = roleAssignmentName(scope, principal, role);
    expect(other).toMatch(UUID_V5);
    expect(other).not.toBe(name);
  });
});

describe('request ids', () => {
  test('newRequestId has the shape R- + 8 unambiguous characters and passes isRequestId', () => {
    const ids = Array.from({ length: 500 }, () => newRequestId());
    for (const id of ids) {
      expect(id).toMatch(/^R-[23456789ABCDEFGHJKMNPQRSTVWXYZ]{8}$/);
      expect(id.slice(2)).not.toMatch(/[01ILOU]/);
      expect(isRequestId(id)).toBe(true);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  test.each([
    ['R-7K2M9QXA', true],
    ['r-7k2m9qxa', true],
    ['R-22222222', true],
    ['R-7K2M9QX', false],
    ['R-7K2M9QXAB', false],
    ['R-7K2M9QX0', false],
    ['R-7K2M9QX1', false],
    ['R-7K2M9QXI', false],
    ['R-7K2M9QXL', false],
    ['R-7K2M9QXO', false],
    ['R-7K2M9QXU', false],
    ['X-7K2M9QXA', false],
    [' R-7K2M9QXA', false],
    ['', false],
  ])('isRequestId(%j) = %s', (text, ok) => {
    expect(isRequestId(text)).toBe(ok);
  });
});

/**
 * A registry typed as its login server, as people copy it from an image reference: read as a
 * login server (resolved by the one ARM reports, resource-resolver.ts), scheme and image path
 * ignored; anything else on an ACR domain refused with a rule that names both forms.
 */
import { UserFacingError } from '../../src/domain/errors';
import { isNameOf, parseRegistryRef } from '../../src/domain/names';

function errorOf(fn: () => unknown): UserFacingError {
  try {
    fn();
  } catch (err) {
    if (err instanceof UserFacingError) return err;
    throw err;
  }
  throw new Error('expected a UserFacingError, nothing was thrown');
}

describe('parseRegistryRef reads a login server', () => {
  test.each([
    ['contosoacr.azurecr.io', 'contosoacr.azurecr.io'],
    ['ContosoACR.AzureCR.io', 'contosoacr.azurecr.io'],
    ['https://contosoacr.azurecr.io', 'contosoacr.azurecr.io'],
    ['HTTP://contosoacr.azurecr.io/', 'contosoacr.azurecr.io'],
    ['contosoacr.azurecr.io/team/app:1.2.3', 'contosoacr.azurecr.io'],
    ['contosoacr.azurecr.io/app@sha256:0123abcd', 'contosoacr.azurecr.io'],
    ['sharedacr-b7c1.azurecr.io', 'sharedacr-b7c1.azurecr.io'],
    ['contosoacr.azurecr.cn', 'contosoacr.azurecr.cn'],
    ['contosoacr.azurecr.us', 'contosoacr.azurecr.us'],
    [' contosoacr.azurecr.io\t', 'contosoacr.azurecr.io'],
  ])('%s', (input, loginServer) => {
    expect(parseRegistryRef(input)).toEqual({ kind: 'loginServer', loginServer });
  });

  test('a login server is a registry word where commands are told apart', () => {
    expect(isNameOf('registry', 'contosoacr.azurecr.io')).toBe(true);
    expect(isNameOf('registry', 'acr.azurecr.io')).toBe(false);
  });
});

describe('parseRegistryRef refuses what cannot be a login server', () => {
  test.each([
    'acr.azurecr.io', // a name too short
    `${'a'.repeat(51)}.azurecr.io`,
    'contoso_acr.azurecr.io',
    'contoso-acr-x.azurecr.io', // one hyphen and hash at most
    '-contosoacr.azurecr.io',
    'contosoacr-.azurecr.io',
    'a.contosoacr.azurecr.io', // a host below the registry's
    '.azurecr.io',
    'ftp://contosoacr.azurecr.io',
    'contosoacr.azurecr.io:443',
    'contosoacr.azurecr.io/app\nApproved by admin',
    'contosoacr.azurecr.io/a\u202eb',
    `contosoacr-${'b'.repeat(33)}.azurecr.io`,
  ])('%j', (input) => {
    expect(errorOf(() => parseRegistryRef(input)).code).toBe('validation.name');
  });

  test('the refusal names the forms to use, on one line', () => {
    expect(errorOf(() => parseRegistryRef('acr.azurecr.io/x\ny')).message).toBe(
      '"acr.azurecr.io/x y" is not a valid registry login server: a login server is the registry\'s name (and, with a domain name label scope, a hyphen and a hash) and then .azurecr.io, .azurecr.cn or .azurecr.us, e.g. contosoacr.azurecr.io; or use the registry\'s name, e.g. contosoacr.',
    );
  });

  test('a host on another domain is read as a name, and refused as one', () => {
    expect(errorOf(() => parseRegistryRef('contosoacr.azurecr.io.example.com')).message).toMatch(
      /is not a valid registry name/,
    );
  });
});

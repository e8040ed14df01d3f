import { closestNames } from '../../src/domain/closest-names';

const REGISTRIES = ['contosoacr', 'contosoabac', 'sharedacr', 'fabrikamregistry', 'ContosoAcr2'];

describe('closestNames', () => {
  test.each<[string, readonly string[], number | undefined, string[]]>([
    ['contosoacr', REGISTRIES, undefined, ['contosoacr', 'ContosoAcr2', 'contosoabac']],
    ['CONTOSOACR', ['contosoacr'], undefined, ['contosoacr']],
    ['contosoarc', ['contosoacr', 'fabrikamregistry'], undefined, ['contosoacr']],
    ['contoso', ['contosoabac', 'contosoacr', 'fabrikam'], undefined, ['contosoacr', 'contosoabac']],
    ['zzzzzzzz', REGISTRIES, undefined, []],
    ['contosoacr', [], undefined, []],
    ['contosoacr', ['contosoacr', 'contosoacr', 'contosoacr'], undefined, ['contosoacr']],
    ['contosoacr', REGISTRIES, 1, ['contosoacr']],
    ['aks-prod', ['aks-prod1', 'aks-prd', 'aks-dev', 'aks-legacy'], 2, ['aks-prod1', 'aks-prd']],
  ])('%j in %j (limit %s) -> %j', (wanted, candidates, limit, expected) => {
    expect(closestNames(wanted, candidates, limit)).toEqual(expected);
  });

  test('keeps the candidate spelling and returns at most 3 by default', () => {
    const out = closestNames('acr', ['acr1', 'acr2', 'acr3', 'acr4', 'ACR5']);
    expect(out).toHaveLength(3);
    expect(out).toEqual(['acr1', 'acr2', 'acr3']);
  });

  test('a substring match ranks ahead of an equally distant non-substring', () => {
    // 'payments' vs 'paymentsacr' (distance 3, substring bonus -> 1) and 'paymantz' (distance 2).
    expect(closestNames('payments', ['paymantz', 'paymentsacr'])).toEqual(['paymentsacr', 'paymantz']);
  });
});

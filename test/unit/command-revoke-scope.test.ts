/**
 * `revoke registry NAME [REASON…]` parses to a registry-scope revoke (every cluster's requests on
 * the registry), and `revoke cluster NAME…` to the form revoke does not take (the handler answers
 * it), not to a pair whose cluster is named "cluster"; other revokes parse as before.
 */
import { COMMAND_HELP, parseCommand } from '../../src/domain/command';

describe('parseCommand: revoke registry and revoke cluster', () => {
  test.each([
    [
      'revoke registry contosoacr suspected credential leak',
      { verb: 'revoke', scope: 'registry', registry: 'contosoacr', reason: 'suspected credential leak' },
    ],
    ['Revoke REGISTRY contosoacr', { verb: 'revoke', scope: 'registry', registry: 'contosoacr', reason: undefined }],
    ['revoke registry', { verb: 'revoke', scope: 'registry', registry: undefined, reason: undefined }],
    [
      'revoke cluster aks-prod incident 42',
      { verb: 'revoke', scope: 'cluster', cluster: 'aks-prod', reason: 'incident 42' },
    ],
    ['revoke cluster', { verb: 'revoke', scope: 'cluster', cluster: undefined, reason: undefined }],
    // Unchanged: a pair, and an id.
    [
      'revoke aks-prod contosoacr incident 42',
      { verb: 'revoke', cluster: 'aks-prod', registry: 'contosoacr', reason: 'incident 42' },
    ],
    ['revoke R-7K2M9QXA registry rotated', { verb: 'revoke', requestId: 'R-7K2M9QXA', reason: 'registry rotated' }],
    [
      'revoke aks-prod registry incident 42',
      { verb: 'revoke', cluster: 'aks-prod', registry: 'registry', reason: 'incident 42' },
    ],
  ])('%j', (text, expected) => {
    expect(parseCommand(text)).toEqual(expected);
  });

  test('help names the registry form', () => {
    const revoke = COMMAND_HELP.find((c) => c.verb === 'revoke')!;
    expect(revoke.usage).toContain('revoke registry REGISTRY REASON…');
  });
});

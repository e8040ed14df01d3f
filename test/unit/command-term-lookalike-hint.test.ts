/**
 * `--duration`, `--ttl` and the other term options acrbot does not have are refused with a hint
 * to use `--for`. Copied, the hint must file what its author asked: it names the term they gave
 * when `--for` takes it as written, and no made-up term otherwise.
 */
import { parseCommand } from '../../src/domain/command';

const refusal = (text: string): string => {
  try {
    parseCommand(text);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`not refused: ${text}`);
};

describe('a term option acrbot does not have', () => {
  test.each([
    ['grant aks-prod contosoacr --duration 30d deploy payments', 'Unknown option --duration: use --for 30d.'],
    [
      'grant aks-prod contosoacr --duration permanent deploy payments',
      'Unknown option --duration: use --for permanent.',
    ],
    ['grant aks-prod contosoacr --ttl=Permanent deploy payments', 'Unknown option --ttl: use --for permanent.'],
    ['grant aks-prod contosoacr --expiry 12H deploy', 'Unknown option --expiry: use --for 12h.'],
    ['secret aks-dev contosoacr --duration 30d pull for payments', 'Unknown option --duration: use --for 30d.'],
  ])('%s names the term given', (text, hint) => {
    expect(refusal(text)).toBe(`${hint} Nothing was requested.`);
  });

  test.each([
    'grant aks-prod contosoacr --duration 3days deploy payments',
    'grant aks-prod contosoacr --ttl 1 day deploy payments',
    'grant aks-prod contosoacr --lifetime',
    'grant aks-prod contosoacr --valid-for=forever deploy',
  ])('%s: no term of acrbot’s own making to copy', (text) => {
    const said = refusal(text);
    expect(said).toMatch(
      /^Unknown option --[a-z-]+: use --for with a term, e\.g\. --for 2h or --for 30d\. Nothing was requested\.$/,
    );
  });
});

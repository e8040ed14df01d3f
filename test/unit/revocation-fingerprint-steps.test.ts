/**
 * What a revoke card's fingerprint (revocation-fingerprint.ts) sees, on its own: every delete and
 * keep step with its reason (a "keep" whose reason changed — another holder ended — must redraw),
 * never an informational line (a listing that failed at the card and not at the click must not
 * turn the click into a redraw); and the scope read back only from a mark it knows, so a card
 * drawn by an older acrbot (a number) has none.
 */
import { fingerprintScope, revocationFingerprint } from '../../src/domain/revocation-fingerprint';

const request = { id: 'R-7K2M9QXA', version: 4 };
const keep = {
  what: 'role assignment',
  target: 'AcrPull for kubelet identity on contosoacr',
  action: 'keep' as const,
  why: 'still used by R-8M3N4PQB',
};
const told = {
  what: 'other access',
  target: 'aks-prod can also pull from contosoacr through its attached ACR',
  action: 'keep' as const,
  informational: true,
};

describe('the revoke fingerprint', () => {
  test('a step whose reason changed changes it', () => {
    const before = revocationFingerprint([{ request, lines: [keep] }]);
    const after = revocationFingerprint([{ request, lines: [{ ...keep, why: 'still used by R-9P4Q5RSC' }] }]);
    expect(after).not.toBe(before);
    expect(revocationFingerprint([{ request, lines: [{ ...keep, why: undefined }] }])).not.toBe(before);
  });

  test('an informational line, there or not, leaves it as it is', () => {
    const without = revocationFingerprint([{ request, lines: [keep] }]);
    expect(revocationFingerprint([{ request, lines: [keep, told] }])).toBe(without);
    expect(revocationFingerprint([{ request, lines: [told, keep] }], 'pair')).toBe(
      revocationFingerprint([{ request, lines: [keep] }], 'pair'),
    );
  });

  test('the scope: read from its mark only; a number or an unknown mark has none', () => {
    expect(fingerprintScope(revocationFingerprint([{ request, lines: [keep] }]))).toBe('request');
    expect(fingerprintScope(3)).toBeUndefined();
    expect(fingerprintScope('rx1-abc')).toBeUndefined();
  });
});

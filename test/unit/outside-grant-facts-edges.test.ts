/**
 * The edges of what acrbot shows of Azure's record of a role assignment made outside acrbot
 * (outside-grant.ts `outsideGrantFacts`): a time only when it is both ISO 8601 to the minute and
 * a real date (a bare date or a prose date parses but says too little; an impossible one reads
 * as ISO but is none); `createdBy` cleaned of C0, DEL and C1 controls and trimmed, shown whole up
 * to 64 characters and cut past that.
 */
import { outsideGrantFacts } from '../../src/domain/outside-grant';

const OID = '0b9c2f4e-1d3a-4e5f-8a7b-6c5d4e3f2a1b';
const ON = '2024-11-03T08:15:42Z';

describe("Azure's createdOn", () => {
  test('a date Date.parse reads but not to the minute in ISO 8601 is not shown', () => {
    expect(outsideGrantFacts({ createdOn: '2024-11-03', createdBy: OID })).toEqual({ by: OID });
    expect(outsideGrantFacts({ createdOn: 'Nov 3, 2024 08:15', createdBy: OID })).toEqual({ by: OID });
  });

  test('an ISO-looking time that is no date is not shown', () => {
    expect(outsideGrantFacts({ createdOn: '2024-13-45T99:99:00Z', createdBy: OID })).toEqual({ by: OID });
  });

  test('an ISO time to the minute is', () => {
    expect(outsideGrantFacts({ createdOn: '2024-11-03T08:15Z' })).toEqual({ on: '2024-11-03T08:15Z' });
  });
});

describe("Azure's createdBy", () => {
  test('C1 controls (NEL) are cleaned as C0 ones are', () => {
    expect(outsideGrantFacts({ createdOn: ON, createdBy: `${OID}\u0085x` })?.by).toBe(`${OID} x`);
    expect(outsideGrantFacts({ createdOn: ON, createdBy: `${OID}\u009bx` })?.by).toBe(`${OID} x`);
  });

  test('trimmed: controls at either end leave no space, and only controls leave nothing', () => {
    expect(outsideGrantFacts({ createdOn: ON, createdBy: `\u0007${OID}\r\n` })?.by).toBe(OID);
    expect(outsideGrantFacts({ createdBy: '\r\n\t' })).toBeUndefined();
  });

  test('64 characters are shown whole; 65 are cut to 64 with "…"', () => {
    const max = 'a'.repeat(64);
    expect(outsideGrantFacts({ createdBy: max })?.by).toBe(max);
    expect(outsideGrantFacts({ createdBy: `${max}b` })?.by).toBe(`${'a'.repeat(63)}…`);
  });
});

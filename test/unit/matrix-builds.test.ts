/**
 * MatrixBuilds (src/tab/matrix-builds.ts) on its own: a build serves only while it is young, by
 * the clock's reading (a clock stepped back never makes an old build young), and the bound drops
 * the least recently used caller, a `get` counting as a use.
 */
import type { AccessMatrix } from '../../src/domain/access-inventory';
import { MATRIX_BUILDS_KEPT, MatrixBuilds } from '../../src/tab/matrix-builds';
import { FakeClock, SECOND } from './support/fake-clock';

/** An inventory copy: only its identity matters to the builds. */
const source = {} as AccessMatrix;
const build = (answer: string) => ({ source, answer });

test('a build from a time the clock has since stepped back before is not served', () => {
  const clock = new FakeClock('2025-03-01T09:00:00.000Z');
  const builds = new MatrixBuilds<string>(clock);
  builds.set('caller', build('built'));
  expect(builds.get('caller', source)).toBe('built');

  clock.advance(-SECOND);
  expect(builds.get('caller', source)).toBeUndefined();
});

test(`the ${MATRIX_BUILDS_KEPT + 1}th caller drops the least recently kept`, () => {
  const builds = new MatrixBuilds<string>(new FakeClock());
  for (let n = 0; n <= MATRIX_BUILDS_KEPT; n++) builds.set(`caller-${n}`, build(`answer-${n}`));

  expect(builds.get('caller-0', source)).toBeUndefined();
  for (let n = 1; n <= MATRIX_BUILDS_KEPT; n++) expect(builds.get(`caller-${n}`, source)).toBe(`answer-${n}`);
});

test('a caller whose build was just read is kept over one read longer ago', () => {
  const builds = new MatrixBuilds<string>(new FakeClock());
  for (let n = 0; n < MATRIX_BUILDS_KEPT; n++) builds.set(`caller-${n}`, build(`answer-${n}`));

  // caller-0 was kept first, but read since: caller-1 is now the least recently used.
  expect(builds.get('caller-0', source)).toBe('answer-0');
  builds.set('newcomer', build('answer-new'));

  expect(builds.get('caller-0', source)).toBe('answer-0');
  expect(builds.get('caller-1', source)).toBeUndefined();
  expect(builds.get('newcomer', source)).toBe('answer-new');
});

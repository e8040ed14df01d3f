/**
 * The walk down an error's `cause` chain (domain/error-causes.ts) that the failure readers share:
 * the error first, then each cause; bounded by depth, ended by a cycle or a missing cause.
 */
import { causesOf } from '../../src/domain/error-causes';

test('yields the error, then each cause in order, ending where no cause is', () => {
  const root = new Error('root');
  const middle = new Error('middle', { cause: root });
  const top = new Error('top', { cause: middle });
  expect([...causesOf(top)]).toEqual([top, middle, root]);
  expect([...causesOf(undefined)]).toEqual([]);
});

test('stops at maxDepth values: five unless told otherwise', () => {
  let e = new Error('0');
  for (let i = 1; i < 10; i++) e = new Error(String(i), { cause: e });
  expect([...causesOf(e)].map((x) => (x as Error).message)).toEqual(['9', '8', '7', '6', '5']);
  expect([...causesOf(e, 8)]).toHaveLength(8);
  expect([...causesOf(e, 1)]).toEqual([e]);
});

test('a cycle ends the walk at the first value seen again, before the depth limit', () => {
  const a = new Error('a');
  const b = new Error('b', { cause: a });
  Object.defineProperty(a, 'cause', { value: b });
  expect([...causesOf(a, 10)]).toEqual([a, b]);
  const self = new Error('self');
  Object.defineProperty(self, 'cause', { value: self });
  expect([...causesOf(self)]).toEqual([self]);
});

test('causes that are not Errors: a plain object is followed, a string ends the chain after it', () => {
  const leaf = 'socket hang up';
  const plain = { code: 'ECONNRESET', cause: leaf };
  const top = new Error('top', { cause: plain });
  expect([...causesOf(top)]).toEqual([top, plain, leaf]);
  // Falsy causes end it: nothing to read there.
  expect([...causesOf(new Error('zero', { cause: 0 }))]).toHaveLength(1);
});

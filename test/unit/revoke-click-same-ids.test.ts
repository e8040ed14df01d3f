/**
 * Whether a revoke-of-many click's ids are those its card would carry now (revoke-scope.ts
 * `sameIds`): the same requests, whatever the case they were typed or stored in, in any order; a
 * click naming fewer (or more) than the card now lists is not the same card, even when each id it
 * names is among them.
 */
import { sameIds } from '../../src/bot/handlers/revoke-scope';
import { pendingRequest } from './support/requests';

const listed = [pendingRequest({ id: 'R-7K2M9QXA' }), pendingRequest({ id: 'R-8M3N4PQB' })];

test('the same requests in any order and case are the same', () => {
  expect(sameIds(['R-8M3N4PQB', 'r-7k2m9qxa'], listed)).toBe(true);
});

test('fewer or more than listed are not, even when each is listed', () => {
  expect(sameIds(['R-7K2M9QXA'], listed)).toBe(false);
  expect(sameIds(['R-7K2M9QXA', 'R-8M3N4PQB', 'R-9P4Q5RSC'], listed)).toBe(false);
  expect(sameIds([], [])).toBe(true);
});

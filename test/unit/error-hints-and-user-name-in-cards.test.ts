/**
 * Two more places a card shows text a user typed or chose: an error's hints (the closest names
 * to what was typed, which may echo it) and the Teams name on `access me`'s card. Both are shown
 * inert: no live link, image or mention.
 */
import { UserFacingError } from '../../src/domain/errors';
import { userAccessCard } from '../../src/views/access-view';
import { errorCard } from '../../src/views/message-view';

const HOSTILE = 'Riley [open](https://evil.example/x) ![i](http://evil.example/i.png) <at>Everyone</at>';

function expectInert(json: string): void {
  expect(json).toContain('evil.example/x');
  expect(json).not.toContain('https://evil');
  expect(json).not.toContain('http://evil');
  expect(json).not.toContain('](');
  expect(json).not.toContain('<at>');
}

test("an error's hints are shown inert", () => {
  const err = new UserFacingError('cluster.notFound', 'No cluster named x was found.', [`Did you mean ${HOSTILE}?`]);
  expectInert(JSON.stringify(errorCard({ err, reference: 'R-1', sandbox: false })));
});

test("the Teams name on the user's access card is shown inert", () => {
  const card = userAccessCard(
    { user: { objectId: 'u1', name: HOSTILE }, entries: [], generatedAt: '2026-12-05T10:00:00Z' },
    false,
  );
  expectInert(JSON.stringify(card));
});

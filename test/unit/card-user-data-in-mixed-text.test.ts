/**
 * Card text mixing template words and values (`${ts} · ${actor} · ${requestId}`) inserts user
 * data as text, as a lone `${…}` does: a `${…}` in a display name or detail is not evaluated, so
 * it can neither read another field of the card's data nor change its shape.
 */
import { compileCard } from '../../src/views/card-compiler';
import { renderCard } from '../../src/views/card-templates';

test('a ${…} in a value inside mixed text is shown as typed', () => {
  const render = compileCard({ text: 'by ${name} at ${at}' });
  expect(render({ name: 'Mallory ${secret}', at: '${name}', secret: 'S3ntinel' })).toEqual({
    text: 'by Mallory ${secret} at ${name}',
  });
});

test("an audit entry's actor named like an expression is shown as typed", () => {
  const card = renderCard('audit', {
    sandbox: false,
    title: 'Audit',
    head: '',
    subtitle: 'entries',
    entries: [
      {
        seq: 1,
        action: 'grant',
        outcome: 'success',
        ts: 't',
        actor: '${$root.title}',
        requestId: '${seq}',
        detail: '',
      },
    ],
  });
  const json = JSON.stringify(card);
  expect(json).toContain('t · ${$root.title} · ${seq}');
});

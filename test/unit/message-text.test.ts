import { messageText } from '../../src/bot/message-text';

describe('messageText: a Teams message as typed', () => {
  test.each([
    [
      'mentions ahead of the command are dropped',
      '<at>Alex Approver</at> grant aks-prod contosoacr',
      'grant aks-prod contosoacr',
    ],
    [
      'a later mention keeps the name',
      'grant a b deploy for <at>Alex Approver</at> now',
      'grant a b deploy for Alex Approver now',
    ],
    ['formatting tags become spaces', '<p>grant a b <b>deploy</b></p>', 'grant a b  deploy'],
    [
      'entities become their characters',
      'grant a b R&amp;D needs it &lt;today&gt; &quot;asap&quot;',
      'grant a b R&D needs it <today> "asap"',
    ],
    ['a non-breaking space is a space', 'grant&nbsp;a&nbsp;b&nbsp;deploy', 'grant a b deploy'],
    ['numeric entities', 'grant a b caf&#233; &#x2014; ok', 'grant a b café — ok'],
    ['an entity-looking text typed as text stays text', 'grant a b &lt;b&gt;bold&lt;/b&gt;', 'grant a b <b>bold</b>'],
    ['an unknown entity is left as it is', 'grant a b &bogus; &#0;', 'grant a b &bogus; &#0;'],
    // Names on Object.prototype are no entities (they would decode to its function's source).
    ['a prototype name is no entity', 'grant a b &constructor; &Constructor;', 'grant a b &constructor; &Constructor;'],
  ])('%s', (_name, input, expected) => {
    expect(messageText(input)).toBe(expected);
  });
});

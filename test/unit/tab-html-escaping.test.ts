/** The tab's server-rendered pages escape every character that could open markup or an attribute. */
import { escapeHtml } from '../../src/tab/html';

describe('escapeHtml', () => {
  it('escapes & < > " and \' everywhere in the text, leaving the rest', () => {
    expect(escapeHtml(`a&b <i x="1" y='2'>&</i> ü`)).toBe(
      'a&amp;b &lt;i x=&quot;1&quot; y=&#39;2&#39;&gt;&amp;&lt;/i&gt; ü',
    );
  });
});

import assert from 'node:assert/strict';
import { render, renderSubject, unknownPlaceholders, type TemplateValues } from '../../../core/surveys/template.ts';

const values: TemplateValues = {
  firstName: null, lastName: 'O\'Brien <Jr>', accountName: 'Acme & Sons', surveyTitle: 'Q4', surveyLink: 'http://x/s/abc', optOutLink: 'http://x/o/abc',
};

describe('email templates', () => {
  it('escapes values in the HTML body, keeps them in the text body, and takes the fallback of an empty value', () => {
    const template = 'Hi {{firstName|there}} {{ lastName }}, {{accountName}}: {{surveyLink}}';
    assert.deepEqual([render(template, values, 'html'), render(template, values, 'text')], [
      'Hi there O&#39;Brien &lt;Jr&gt;, Acme &amp; Sons: http://x/s/abc',
      "Hi there O'Brien <Jr>, Acme & Sons: http://x/s/abc",
    ]);
  });

  it('keeps a subject on one line whatever a value holds', () => {
    assert.equal(renderSubject('{{accountName}} survey', { ...values, accountName: 'Acme\r\nBcc: x@y.example' }), 'Acme Bcc: x@y.example survey');
  });

  it('names the placeholders that do not exist', () => {
    assert.deepEqual(unknownPlaceholders('{{firstName}} {{nickname}} {{ company|us }}'), ['nickname', 'company']);
  });
});

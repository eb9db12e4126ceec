import assert from 'node:assert/strict';
import { coerceAttribute, type AttributeDefinition } from '../../../core/directory/attributes.ts';

const def = (type: AttributeDefinition['type'], values?: string[]): AttributeDefinition => ({ name: 'a', type, ...(values ? { values } : {}) });

describe('coerceAttribute', () => {
  const cases: [AttributeDefinition, string, ReturnType<typeof coerceAttribute>][] = [
    [def('Integer'), '42', { ok: true, value: 42 }],
    [def('Integer'), ' -7 ', { ok: true, value: -7 }],
    [def('Integer'), '4.0', { ok: true, value: 4 }],
    [def('Integer'), '1.2E3', { ok: true, value: 1200 }],
    [def('Integer'), '4.5', { ok: false, message: 'value "4.5" is not an Integer' }],
    [def('Integer'), '4 apples', { ok: false, message: 'value "4 apples" is not an Integer' }],
    [def('Integer'), '9007199254740993', { ok: false, message: 'value "9007199254740993" is outside the Integer range (±9007199254740991)' }],
    [def('Decimal'), '12345678901234.56', { ok: true, value: '12345678901234.56' }],
    [def('Decimal'), '0.1000', { ok: true, value: '0.1' }],
    [def('Decimal'), '+007.50', { ok: true, value: '7.5' }],
    [def('Decimal'), '1e3', { ok: true, value: '1000' }],
    [def('Decimal'), '1.23456789012345678E15', { ok: true, value: '1234567890123456.78' }],
    [def('Decimal'), '1,000.00', { ok: false, message: 'value "1,000.00" is not a Decimal' }],
    [def('String'), ' keep spaces ', { ok: true, value: ' keep spaces ' }],
    [def('Enum', ['Gold', 'Silver']), 'Gold', { ok: true, value: 'Gold' }],
    [def('Enum', ['Gold', 'Silver']), 'gold', { ok: false, message: 'value "gold" is not one of "Gold", "Silver"' }],
    [def('DateTime'), '2024-02-29', { ok: true, value: '2024-02-29T00:00:00.000Z' }],
    [def('DateTime'), '2024-03-01T09:30:00+02:00', { ok: true, value: '2024-03-01T07:30:00.000Z' }],
    [def('DateTime'), '2023-02-29T00:00:00Z', { ok: false, message: 'value "2023-02-29T00:00:00Z" is not a valid date and time' }],
    [def('DateTime'), '03/01/2024', { ok: false, message: 'value "03/01/2024" is not an ISO 8601 DateTime (e.g. 2024-03-01T09:30:00Z)' }],
    [def('Integer'), '', { ok: true, value: null }],
  ];
  for (const [definition, raw, expected] of cases) {
    it(`${definition.type} ${JSON.stringify(raw)} -> ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(coerceAttribute(definition, raw), expected);
    });
  }
});

import assert from 'node:assert/strict';
import type { KeyMetric } from '../../widget/src/api.ts';
import { describeChange, formatArr, formatChange, formatMetric } from '../../widget/src/format.ts';
import { chartGeometry } from '../../widget/src/line-chart.ts';

const metric = (value: string | null, format: KeyMetric['format'], decimals: number, currency: string | null = null): KeyMetric => ({ label: 'm', value, format, decimals, currency });

describe('widget number formats', () => {
  it('formats a currency metric with the symbol of its ISO code, in the locale, with the configured decimals', () => {
    assert.deepEqual(
      [formatMetric(metric('1234.5', 'currency', 2, 'EUR'), 'en-US'), formatMetric(metric('1234.5', 'currency', 2, 'EUR'), 'de-DE'), formatMetric(metric('1234.5', 'currency', 0, 'JPY'), 'en-US')],
      ['€1,234.50', '1.234,50\u00a0€', '¥1,235'],
    );
  });

  it('puts a custom currency label before the number when there is no ISO code', () => {
    assert.equal(formatMetric(metric('1500', 'currency', 1, 'Credits'), 'en-US'), 'Credits\u00a01,500.0');
  });

  it('keeps every digit of an amount too large for a JS number', () => {
    assert.equal(formatMetric(metric('98765432109876543.21', 'currency', 2, 'USD'), 'en-US'), '$98,765,432,109,876,543.21');
    assert.equal(formatArr('98765432109876543.21', null, 'en-US'), '98,765,432,109,876,543');
  });

  it('reads a percent metric in percent points, and a missing value as a dash', () => {
    assert.deepEqual(
      [formatMetric(metric('42.5', 'percent', 1), 'en-US'), formatMetric(metric('7', 'percent', 0), 'de-DE'), formatMetric(metric(null, 'number', 0), 'en-US')],
      ['42.5%', '7\u00a0%', '—'],
    );
  });

  it('signs a change in NPS points and says it in words', () => {
    assert.deepEqual([21, -4, 0, null].map((c) => formatChange(c, 'en-US')), ['+21', '-4', '0', '—']);
    assert.deepEqual([21, -1, 0, null].map((c) => describeChange(c, 'en-US')), ['increased by 21 points', 'decreased by 1 point', 'unchanged', 'no change to show']);
  });
});

describe('widget line chart', () => {
  it('breaks the line where a period has no value and scales the rest between the lowest and highest', () => {
    const points = [10, 30, null, 20].map((value, i) => ({ label: `P${i}`, start: '2026-01-01', value }));
    const { path, dots, min, max } = chartGeometry(points);
    assert.deepEqual([min, max, dots.map((d) => d.point.label)], [10, 30, ['P0', 'P1', 'P3']]);
    assert.equal(path, 'M4 66L81.3 6M236 36');
  });
});

// A data endpoint answer of any size, the same bytes every run (seeded PRNG), for measuring the
// element's rendering apart from the API's latency.
import type { Account, StrategicAccounts } from '../../widget/src/api.ts';

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const healths = ['Opportunity', 'Neutral', 'At Risk', 'Not enough data'] as const;
const currencies = ['EUR', 'USD', 'CHF', null] as const;
const industries = ['Manufacturing', 'Logistics', 'Utilities', 'Healthcare', 'Retail'];
const quarters = ['Q1 2025', 'Q2 2025', 'Q3 2025', 'Q4 2025', 'Q1 2026', 'Q2 2026', 'Q3 2026', 'Q4 2026'];

export function sampleAnswer(count: number, seed = 7): StrategicAccounts {
  const random = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const accounts: Account[] = [];
  for (let i = 0; i < count; i++) {
    const currency = pick(currencies);
    const arr = (Math.round(random() * 5_000_000_00) / 100).toFixed(2);
    const nps = Math.round(random() * 200 - 100);
    const change = Math.round(random() * 40 - 20);
    accounts.push({
      id: `001B${String(i).padStart(14, '0')}`,
      name: `Account ${String(i + 1).padStart(5, '0')} ${pick(industries)} GmbH`,
      currency,
      health: pick(healths),
      arr,
      nps,
      responses: Math.floor(random() * 200),
      change,
      values: { 'attribute:industry': pick(industries), 'attribute:tier': pick(['Strategic', 'Enterprise', 'Growth']) },
      metrics: [
        { label: 'ARR', value: arr, format: 'currency', decimals: 0, currency },
        { label: 'Promoters', value: (random() * 100).toFixed(1), format: 'percent', decimals: 1, currency: null },
        { label: 'Responses', value: String(Math.floor(random() * 200)), format: 'number', decimals: 0, currency: null },
      ],
      chart: {
        label: 'NPS',
        decimals: 0,
        points: quarters.map((label, q) => ({ label, start: `${2025 + Math.floor(q / 4)}-${String((q % 4) * 3 + 1).padStart(2, '0')}-01`, value: random() < 0.1 ? null : Math.round(random() * 200 - 100) })),
      },
    });
  }
  return {
    config: { id: 1, name: 'Strategic accounts' },
    period: 'QoQ',
    asOf: '2026-11-25',
    timeZone: 'Europe/Berlin',
    current: { label: 'Q4 2026', start: '2026-10-01', end: '2026-12-31' },
    previous: { label: 'Q3 2026', start: '2026-07-01', end: '2026-09-30' },
    columns: [
      { key: 'client', label: 'Client' },
      { key: 'health', label: 'Health' },
      { key: 'arr', label: 'ARR' },
      { key: 'nps', label: 'NPS' },
      { key: 'change', label: 'QoQ change (NPS points)' },
      { key: 'attribute:industry', label: 'Industry' },
      { key: 'attribute:tier', label: 'Tier' },
    ],
    total: count,
    page: 1,
    pageSize: count,
    accounts,
  };
}

/**
 * bench/logger: the cost of one log line (a ~1 KB entry) through a real Powertools Logger with the masking
 * formatter (3 key rules, 2 field expressions; then with the seven detectors the target names, and with
 * all sixteen built-in ones) against the plain default formatter, printing to a null stream, in the same run.
 */
import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { Logger } from '@aws-lambda-powertools/logger';
import { type DetectorName, detectors } from 'middy-data-masking';
import { MaskingLogFormatter } from 'middy-data-masking/logger';
import { measure, target } from './harness.ts';

const nullStream = new Writable({ write: (_chunk, _encoding, done) => done() });

/** A Logger that prints to a null stream (the Logger writes through its own Console). */
function quietLogger(logFormatter?: MaskingLogFormatter): Logger {
  const logger = new Logger({
    serviceName: 'orders',
    ...(logFormatter === undefined ? {} : { logFormatter }),
  });
  (logger as unknown as { console: Console }).console = new Console({
    stdout: nullStream,
    stderr: nullStream,
  });
  return logger;
}

const extra = {
  order: {
    id: 'ord-123456',
    status: 'paid',
    amount: 129.9,
    currency: 'EUR',
    customer: { id: 'cust-42', name: 'Jane Doe', email: 'jane@example.com', tier: 'gold' },
    card: { number: '4111 1111 1111 1111', expires: '12/29', holder: 'Jane Doe' },
    lines: Array.from({ length: 12 }, (_, i) => ({ sku: `SKU-${1000 + i}`, qty: i + 1, price: 9.99 + i })),
  },
  request: { path: '/orders/ord-123456', method: 'POST', userAgent: 'Mozilla/5.0 (X11; Linux x86_64)' },
  headers: { authorization: 'Bearer abc.def.ghi', 'x-request-id': 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' },
  password: 'hunter2',
  apiKey: 'k-123',
};

/**
 * The seven detectors the "≤ 3× plain" target was set for (issue 6). Issue 12 added nine more to the
 * registry; `Object.values(detectors)` silently grew with them, so the target now names its seven, and all
 * sixteen are measured beside them.
 */
const SEVEN: readonly DetectorName[] = [
  'email',
  'creditCard',
  'usSsn',
  'awsAccessKeyId',
  'awsSecretAccessKey',
  'jwt',
  'bearerToken',
];

export async function run(): Promise<string[]> {
  const masking = {
    keys: ['password', 'authorization', /api[-_]?key/i],
    fields: ['$.order.card.number', '$.order.customer.email'],
  };
  const plain = quietLogger();
  const masked = quietLogger(new MaskingLogFormatter(masking));
  const seven = quietLogger(new MaskingLogFormatter({ ...masking, detectors: [...SEVEN] }));
  const all = quietLogger(new MaskingLogFormatter({ ...masking, detectors: Object.values(detectors) }));
  const bytes = JSON.stringify({ message: 'order placed', ...extra }).length;
  const rows = await measure(`logger · one ${(bytes / 1024).toFixed(1)} KB log line to a null stream`, [
    { name: 'PowertoolsLogFormatter (plain)', fn: () => plain.info('order placed', extra) },
    { name: 'MaskingLogFormatter: 3 keys, 2 fields', fn: () => masked.info('order placed', extra) },
    { name: 'MaskingLogFormatter + the seven detectors', fn: () => seven.info('order placed', extra) },
    {
      name: `MaskingLogFormatter + all ${Object.keys(detectors).length} detectors`,
      fn: () => all.info('order placed', extra),
    },
  ]);
  return [
    target('masking formatter / plain, 3 keys + 2 fields', rows[1].us / rows[0].us, 1.5),
    target('masking formatter / plain, + the seven detectors', rows[2].us / rows[0].us, 3),
    `logger · masking formatter / plain, + all ${Object.keys(detectors).length} detectors: ${(rows[3].us / rows[0].us).toFixed(2)}× (no target)`,
  ];
}

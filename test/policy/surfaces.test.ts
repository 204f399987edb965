/**
 * Issue 12: one policy, one meaning. The same document masked by the same policy comes out the same
 * through every surface: `policy.erase`, `masker.erase` (policy or options), the Middy middleware, the
 * Powertools log formatter, the input-output logger and the batch middleware.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type { SQSEvent } from 'aws-lambda';
import fc from 'fast-check';
import { batchMasking } from '../../src/batch.js';
import { DataMasking } from '../../src/data-masking.js';
import { createMaskingLogger, MaskingLogFormatter } from '../../src/logger.js';
import { dataMasking } from '../../src/middleware.js';
import { definePolicy, type PolicyOptions } from '../../src/policy/masking-policy.js';
import { sqsEvent } from '../batch/events.js';
import { useLoggerEnv, useOutput } from '../logger/support.js';
import { lambdaContext } from '../middleware/events.js';

useLoggerEnv();
const out = useOutput();

const HMAC_KEY = 'a key for pseudonyms';
const SECRET = 'sk-prod-7c1f9e2a';

const options: PolicyOptions = {
  fields: ['$..card'],
  keep: { last: 4 },
  maskingRules: { '$..email': { hmac: { key: HMAC_KEY } } },
  keys: ['password', 'x-api-key'],
  secrets: [SECRET],
  detectors: ['email', 'creditCard'],
};

const document = {
  order: { id: 'o-1', card: '4111-1111-1111-1111', lines: [{ sku: 'A', card: '5500 0000 0000 0004' }] },
  customer: { email: 'jane@example.com', note: `contact bob@example.com, key ${SECRET}` },
  headers: { 'X-Api-Key': 'k-123', Password: 'hunter2' },
};

/** Each surface, given a policy (or its options) and a document, gives the masked document. */
const surfaces: Record<string, (policy: ReturnType<typeof definePolicy>, doc: unknown) => Promise<unknown>> =
  {
    'policy.erase': async (policy, doc) => policy.erase(doc),
    'masker.erase(data, policy)': async (policy, doc) =>
      new DataMasking({ throwOnMissingField: false }).erase(doc, policy),
    'masker.erase(data, options)': async (policy, doc) =>
      new DataMasking({ throwOnMissingField: false }).erase(doc, { ...policy.options }),
    'dataMasking middleware': async (policy, doc) => {
      const handler = middy(async () => structuredClone(doc)).use(dataMasking({ erase: policy }));
      return handler({ source: 'aws.events' }, lambdaContext());
    },
    MaskingLogFormatter: async (policy, doc) => {
      out.clear();
      const logger = new Logger({ serviceName: 'orders', logFormatter: new MaskingLogFormatter(policy) });
      logger.info('order placed', { doc });
      return out.entry('order placed').doc;
    },
    createMaskingLogger: async (policy, doc) => {
      const lines: unknown[] = [];
      createMaskingLogger({ policy, print: (m) => lines.push(m) })({ doc });
      return (lines[0] as { doc: unknown }).doc;
    },
    'batchMasking (SQS)': async (policy, doc) => {
      let seen: unknown;
      const handler = middy<SQSEvent>()
        .use(batchMasking({ masker: new DataMasking(), erase: policy }))
        .handler(async (event) => {
          seen = JSON.parse(event.Records[0].body);
          return { batchItemFailures: [] };
        });
      await handler(sqsEvent([doc]), lambdaContext());
      return seen;
    },
  };

describe('one policy through every surface', () => {
  const policy = definePolicy(options);
  const expected = policy.erase(document);

  test('what the policy does, spelled out', () => {
    const hmac = (s: string) =>
      require('node:crypto').createHmac('sha256', HMAC_KEY).update(s, 'utf8').digest('hex') as string;
    expect(expected).toEqual({
      order: { id: 'o-1', card: '****-****-****-1111', lines: [{ sku: 'A', card: '**** **** **** 0004' }] },
      customer: { email: hmac('jane@example.com'), note: 'contact *****, key *****' },
      headers: { 'X-Api-Key': '*****', Password: '*****' },
    });
  });

  test.each(Object.keys(surfaces))('%s gives the same', async (name) => {
    expect(await surfaces[name](policy, document)).toEqual(expected);
  });

  test('property: random documents, the same result through erase, both loggers and batch', async () => {
    const key = fc.constantFrom('card', 'email', 'password', 'X_API_KEY', 'note', 'id', 'a');
    const leaf = fc.oneof(
      fc.constantFrom('4111 1111 1111 1111', 'jane@example.com', `x ${SECRET} y`, 'plain', ''),
      fc.integer({ min: -5, max: 5 }),
      fc.boolean(),
    );
    const doc = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object')),
      array: fc.array(tie('value'), { maxLength: 3 }),
      object: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
    })).object;
    await fc.assert(
      fc.asyncProperty(doc, async (d) => {
        const want = policy.erase(d);
        for (const name of ['masker.erase(data, options)', 'createMaskingLogger', 'batchMasking (SQS)']) {
          expect(await surfaces[name](policy, d)).toEqual(want);
        }
        const text = JSON.stringify(want);
        expect(text).not.toContain(SECRET);
        expect(text).not.toContain('jane@example.com');
        expect(text).not.toContain('4111 1111 1111 1111');
      }),
      { numRuns: 200 },
    );
  });
});

describe('policies are checked once, at definition', () => {
  test('unknown options and bad values are refused by definePolicy', () => {
    expect(() => definePolicy({ fieldz: ['a'] } as never)).toThrow(/unknown/);
    expect(() => definePolicy({ keys: 'password' } as never)).toThrow(/'keys' must be an array/);
    expect(() => definePolicy({ fields: ['$[?'] })).toThrow(/Invalid field expression/);
  });

  test('a formatter or logger takes a policy or its options, not both', () => {
    const policy = definePolicy({ keys: ['password'] });
    expect(() => new MaskingLogFormatter({ policy, keys: ['token'] })).toThrow(
      /in the policy, not beside it/,
    );
    expect(() => createMaskingLogger({ policy: { keys: [] } as never })).toThrow(/definePolicy/);
    expect(() => new MaskingLogFormatter({ policy })).not.toThrow();
  });
});

describe('numbers are scanned too', () => {
  test('a card stored as a JSON number is masked by the creditCard detector on every surface', async () => {
    const policy = definePolicy({ detectors: ['creditCard'] });
    const doc = { card: 4111111111111111, amount: 42, id: 1234567890123456 };
    const want = { card: '*****', amount: 42, id: 1234567890123456 };
    for (const name of Object.keys(surfaces)) expect(await surfaces[name](policy, doc)).toEqual(want);
  });
});

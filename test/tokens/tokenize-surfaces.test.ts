/**
 * Issue 13: the `{ tokenize: key }` rule (SPEC §10) wherever rules are accepted, and one tokenizing policy
 * through every surface (SPEC §11): `erase`, the middleware, the Powertools log formatter, the input-output
 * logger and the batch surfaces give the same token for the same value. Keys that are not ready: the
 * middleware and the batch surfaces ready them once themselves (a KMS that cannot unwrap them fails the
 * request, never a response that would leave untokenized); the synchronous logger withholds the entry
 * until the key is ready. `tokensDetector` masks tokens in free text and logs.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import type { SQSEvent } from 'aws-lambda';
import { batchMasking, maskFirehoseRecords, maskRecords } from '../../src/batch.js';
import { DataMasking } from '../../src/data-masking.js';
import {
  DataMaskingDecryptKeyError,
  DataMaskingProviderUnavailableError,
  DataMaskingTokenKeyNotReadyError,
  DataMaskingUnsupportedTypeError,
} from '../../src/errors.js';
import { createMaskingLogger, MaskingLogFormatter } from '../../src/logger.js';
import { dataMasking } from '../../src/middleware.js';
import { definePolicy, type MaskingPolicy } from '../../src/policy/masking-policy.js';
import { createKmsMock, type KmsMock } from '../../src/testing/kms-mock.js';
import { createTokenKey } from '../../src/tokens/create-token-key.js';
import { tokensDetector } from '../../src/tokens/token-detector.js';
import { TokenKey, type TokenKeyDescriptor } from '../../src/tokens/token-key.js';
import { firehoseEvent, sqsEvent } from '../batch/events.js';
import { useLoggerEnv, useOutput, WITHHELD } from '../logger/support.js';
import {
  type HttpResult,
  httpEvent,
  invoke,
  invokeRejected,
  type Loose,
  lambdaContext,
  parsedBody,
} from '../middleware/events.js';
import { expectAbsent, failureLog } from '../middleware/harness.js';
import { deepFreeze } from '../support/deep-freeze.js';

useLoggerEnv();
const out = useOutput();

const ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const ACME = { tenant_id: 'acme', purpose: 'analytics' };
const GLOBEX = { tenant_id: 'globex', purpose: 'analytics' };
const EMAIL = 'jane.doe@example.com';
const EMAIL2 = 'bob.smith@example.org';
const SSN = '123-45-6789';
const TOKEN = /^tok_[A-Za-z0-9]{1,32}_[A-Za-z0-9_-]+$/;

let kms: KmsMock;
let acme1: TokenKeyDescriptor;
let acme2: TokenKeyDescriptor;
let globex1: TokenKeyDescriptor;
/** Ready keys: acme v1, acme v2, and globex v1 (same version as key1, another key and context). */
let key1: TokenKey;
let key2: TokenKey;
let globexKey: TokenKey;

beforeAll(async () => {
  kms = createKmsMock({ keys: [ARN] });
  acme1 = await createTokenKey({ kmsKeyId: ARN, context: ACME });
  acme2 = await createTokenKey({ kmsKeyId: ARN, context: ACME, version: '2' });
  globex1 = await createTokenKey({ kmsKeyId: ARN, context: GLOBEX });
  key1 = await new TokenKey(acme1).ready();
  key2 = await new TokenKey(acme2).ready();
  globexKey = await new TokenKey(globex1).ready();
});
afterAll(() => kms.restore());
beforeEach(() => kms.reset());

const decodeFirehose = (data: string | undefined): unknown =>
  JSON.parse(Buffer.from(String(data), 'base64').toString('utf8'));

describe('erase with a tokenize rule', () => {
  const masker = new DataMasking();

  test('top-level rule: per leaf, an object or array keeps its shape; null and undefined kept', () => {
    const doc = deepFreeze({
      customer: {
        email: EMAIL,
        age: 42,
        vip: true,
        tags: ['gold', 7],
        address: { city: 'Paris', zip: null },
        fax: undefined,
      },
      order: { id: 'o-1' },
    });
    const before = JSON.stringify(doc);
    const erased = masker.erase(doc, { fields: ['customer'], tokenize: key1 });
    expect(erased).toEqual({
      customer: {
        email: key1.tokenize(EMAIL),
        age: key1.tokenize(42),
        vip: key1.tokenize(true),
        tags: [key1.tokenize('gold'), key1.tokenize(7)],
        address: { city: key1.tokenize('Paris'), zip: null },
        fax: undefined,
      },
      order: { id: 'o-1' },
    });
    expect('fax' in erased.customer).toBe(true);
    expect(erased.customer.email).toMatch(TOKEN);
    expect(erased.customer.email).toMatch(/^tok_1_/);
    // The number and its string are different values.
    expect(key1.tokenize(42)).not.toBe(key1.tokenize('42'));
    // Unmasked subtrees are shared; the input is untouched.
    expect(erased.order).toBe(doc.order);
    expect(JSON.stringify(doc)).toBe(before);
  });

  test('in maskingRules, beside other rules; a value selected twice gets the rule that claims it', () => {
    const doc = { customer: { email: EMAIL, ssn: SSN, name: 'Jane' }, card: '4111 1111 1111 1111' };
    const erased = masker.erase(doc, {
      fields: ['card'],
      maskingRules: { 'customer.ssn': { tokenize: key2 }, 'customer.email': { tokenize: key1 } },
    });
    expect(erased).toEqual({
      customer: { email: key1.tokenize(EMAIL), ssn: key2.tokenize(SSN), name: 'Jane' },
      card: '*****',
    });
    expect(erased.customer.ssn).toMatch(/^tok_2_/);
  });

  test('deterministic: the same value gives the same token, across calls and key instances', () => {
    const again = new TokenKey(acme1);
    return again.ready().then(() => {
      const a = masker.erase({ e: EMAIL }, { fields: ['e'], tokenize: key1 });
      const b = masker.erase({ e: EMAIL }, { fields: ['e'], tokenize: again });
      expect(a).toEqual(b);
      expect(masker.erase({ e: EMAIL2 }, { fields: ['e'], tokenize: key1 }).e).not.toBe(a.e);
    });
  });

  test('`when`: only the string values that match are tokenized', () => {
    const doc = { contacts: [EMAIL, '+33 1 23 45 67 89', 42, null, EMAIL2] };
    const erased = masker.erase(doc, { fields: ['contacts'], tokenize: key1, when: /@/ });
    expect(erased).toEqual({
      contacts: [key1.tokenize(EMAIL), '+33 1 23 45 67 89', 42, null, key1.tokenize(EMAIL2)],
    });
  });

  test('a JSON-string body is opened and written back as a string; the event is not written', () => {
    const body = JSON.stringify({ email: EMAIL, qty: 2, note: 'hi' });
    const event = deepFreeze(httpEvent('restV1Cognito', { body }));
    const erased = masker.erase(event, { fields: ['$.body.email', '$.body.qty'], tokenize: key1 }) as Loose;
    expect(typeof erased.body).toBe('string');
    expect(JSON.parse(erased.body as string)).toEqual({
      email: key1.tokenize(EMAIL),
      qty: key1.tokenize(2),
      note: 'hi',
    });
    expect(erased.body).not.toContain(EMAIL);
    expect(event.body).toBe(body);
    expect(erased.headers).toBe(event.headers);
  });

  test('a base64 body (isBase64Encoded) is opened and re-encoded', () => {
    const body = Buffer.from(JSON.stringify({ email: EMAIL }), 'utf8').toString('base64');
    const event = httpEvent('httpV2Jwt', { body, isBase64Encoded: true });
    const erased = masker.erase(event, { fields: ['$.body.email'], tokenize: key1 }) as Loose;
    expect(erased.isBase64Encoded).toBe(true);
    expect(JSON.parse(Buffer.from(erased.body as string, 'base64').toString('utf8'))).toEqual({
      email: key1.tokenize(EMAIL),
    });
  });

  test('the options cache: the same options hit it; two keys of one version are never confused', () => {
    const m = new DataMasking();
    const options = (key: TokenKey) => ({ fields: ['a', 'b.c'], tokenize: key });
    const eraser = m.compileErase(options(key1));
    expect(m.compileErase(options(key1))).toBe(eraser); // content key: a fresh identical object hits it
    expect(m.compileErase(options(globexKey))).not.toBe(eraser); // another key, same version '1'
    const doc = { a: EMAIL, b: { c: SSN } };
    const byAcme = { a: key1.tokenize(EMAIL), b: { c: key1.tokenize(SSN) } };
    const byGlobex = { a: globexKey.tokenize(EMAIL), b: { c: globexKey.tokenize(SSN) } };
    expect(byAcme.a).not.toBe(byGlobex.a);
    // Interleaved: each call uses its own key.
    expect(m.erase(doc, options(key1))).toEqual(byAcme);
    expect(m.erase(doc, options(globexKey))).toEqual(byGlobex);
    expect(m.erase(doc, options(key1))).toEqual(byAcme);
    expect(m.erase(doc, { maskingRules: { a: { tokenize: globexKey } } })).toEqual({ ...doc, a: byGlobex.a });
    expect(m.erase(doc, { maskingRules: { a: { tokenize: key1 } } })).toEqual({ ...doc, a: byAcme.a });
  });

  test('a key that is not ready: a typed error saying to await ready(), synchronously', () => {
    const fresh = new TokenKey(acme1);
    expect(() => masker.erase({ a: EMAIL }, { fields: ['a'], tokenize: fresh })).toThrow(
      DataMaskingTokenKeyNotReadyError,
    );
    expect(() => masker.erase({ a: EMAIL }, { maskingRules: { a: { tokenize: fresh } } })).toThrow(
      /await key\.ready\(\)/,
    );
    // null and undefined need no key.
    expect(masker.erase({ a: null }, { fields: ['a'], tokenize: fresh })).toEqual({ a: null });
    expect(kms.count('Decrypt')).toBe(0);
  });

  test('malformed tokenize rules are refused', () => {
    const bad: unknown[] = [
      { fields: ['a'], tokenize: acme1 }, // a descriptor, not a key
      { fields: ['a'], tokenize: 'key' },
      { fields: ['a'], tokenize: key1, hash: 'sha256' },
      { maskingRules: { a: { tokenize: key1, customMask: 'x' } } },
      { maskingRules: { a: { tokenize: { version: '1', isReady: true, ready: async () => undefined } } } },
    ];
    for (const options of bad) {
      expect(() => masker.erase({ a: EMAIL }, options as never)).toThrow(DataMaskingUnsupportedTypeError);
      expect(() => definePolicy(options as never)).toThrow(DataMaskingUnsupportedTypeError);
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// One policy, every surface
// ---------------------------------------------------------------------------------------------------

const document = {
  customer: { email: EMAIL, ssn: SSN, name: 'Jane' },
  lines: [{ sku: 'A', email: EMAIL2 }],
  total: 42,
};

/** Each surface, given a policy and a document, gives the masked document. */
const surfaces: Record<string, (policy: MaskingPolicy, doc: unknown) => Promise<unknown>> = {
  'policy.erase': async (policy, doc) => policy.erase(doc),
  'masker.erase(data, policy)': async (policy, doc) =>
    new DataMasking({ throwOnMissingField: false }).erase(doc, policy),
  'masker.erase(data, options)': async (policy, doc) =>
    new DataMasking({ throwOnMissingField: false }).erase(doc, { ...policy.options }),
  'dataMasking middleware (plain event)': async (policy, doc) => {
    const handler = middy(async () => structuredClone(doc)).use(dataMasking({ erase: policy }));
    return handler({ source: 'aws.events' }, lambdaContext());
  },
  'dataMasking middleware (HTTP, JSON-string body)': async (policy, doc) => {
    const handler = middy(async () => ({
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(doc),
    })).use(dataMasking({ erase: policy }));
    return parsedBody(await invoke<HttpResult>(handler, httpEvent('httpV2Jwt', { method: 'GET' })));
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
    expect(lines).toHaveLength(1);
    return (lines[0] as { doc: unknown }).doc;
  },
  'maskRecords (SQS)': async (policy, doc) => {
    const masked = await maskRecords(sqsEvent([doc]), { masker: new DataMasking(), erase: policy });
    expect(masked.batchItemFailures).toEqual([]);
    return JSON.parse(masked.event.Records[0].body);
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
  maskFirehoseRecords: async (policy, doc) => {
    const result = await maskFirehoseRecords(firehoseEvent([doc]).records, {
      masker: new DataMasking(),
      erase: policy,
    });
    expect(result.records[0].result).toBe('Ok');
    return decodeFirehose(result.records[0].data);
  },
};

describe('one tokenizing policy through every surface', () => {
  let k1: TokenKey;
  let k2: TokenKey;
  let policy: MaskingPolicy;
  let expected: unknown;

  beforeAll(async () => {
    k1 = new TokenKey(acme1);
    k2 = new TokenKey(acme2);
    policy = definePolicy({
      fields: ['$..email'],
      tokenize: k1,
      maskingRules: { '$..ssn': { tokenize: k2 } },
    });
  });

  test('isReady is false until ready(), which costs one Decrypt per key, once', async () => {
    expect(policy.isReady).toBe(false);
    expect(() => policy.erase(document)).toThrow(DataMaskingTokenKeyNotReadyError);
    await Promise.all([policy.ready(), policy.ready()]);
    expect(policy.isReady).toBe(true);
    expect(k1.isReady && k2.isReady).toBe(true);
    expect(kms.count('Decrypt')).toBe(2);
    await policy.ready();
    expect(kms.count('Decrypt')).toBe(2);
    expected = policy.erase(document);
    expect(expected).toEqual({
      customer: { email: k1.tokenize(EMAIL), ssn: k2.tokenize(SSN), name: 'Jane' },
      lines: [{ sku: 'A', email: k1.tokenize(EMAIL2) }],
      total: 42,
    });
    // The same value, the same token: key1 is another instance of the same key.
    expect((expected as typeof document).customer.email).toBe(key1.tokenize(EMAIL));
  });

  test.each(Object.keys(surfaces))('%s gives the same tokens, with no KMS call', async (name) => {
    await policy.ready();
    kms.reset();
    expect(await surfaces[name](policy, document)).toEqual(expected);
    expect(kms.count('Decrypt')).toBe(0);
    expect(out.text()).not.toContain(EMAIL);
  });

  test('one key used by several rules of a policy is unwrapped once', async () => {
    const k = new TokenKey(acme1);
    const p = definePolicy({
      fields: ['a'],
      tokenize: k,
      maskingRules: { b: { tokenize: k }, c: { tokenize: k } },
    });
    await p.ready();
    expect(kms.count('Decrypt')).toBe(1);
    expect(p.erase({ a: 1, b: 1, c: 1 })).toEqual({ a: k.tokenize(1), b: k.tokenize(1), c: k.tokenize(1) });
  });

  test('a policy without tokenize rules is ready at once', async () => {
    const p = definePolicy({ fields: ['a'] });
    expect(p.isReady).toBe(true);
    await expect(p.ready()).resolves.toBe(p);
  });
});

// ---------------------------------------------------------------------------------------------------
// Keys that are not ready
// ---------------------------------------------------------------------------------------------------

describe('the middleware readies the keys itself', () => {
  const responseWithEmail = () => ({
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'o-1', email: EMAIL }),
  });

  test.each(['policy', 'options'])(
    'erase given as %s: response tokenized, one Decrypt for all requests',
    async (as) => {
      const fresh = new TokenKey(acme1);
      const options = { fields: ['$.body.email'], tokenize: fresh };
      const lambda = jest.fn(async () => responseWithEmail());
      const handler = middy(lambda).use(
        dataMasking({ erase: as === 'policy' ? definePolicy(options) : options }),
      );
      for (let i = 0; i < 3; i++) {
        const response = await invoke<HttpResult>(handler, httpEvent('restV1Cognito', { method: 'GET' }));
        expect(response.statusCode).toBe(200);
        expect(parsedBody(response)).toEqual({ id: 'o-1', email: key1.tokenize(EMAIL) });
      }
      expect(lambda).toHaveBeenCalledTimes(3);
      expect(kms.count('Decrypt')).toBe(1);
    },
  );

  const stack = (key: TokenKey, logFailure: (m: string) => void, errorHandler: boolean) => {
    const lambda = jest.fn(async () => responseWithEmail());
    const handler = middy(lambda).use(
      dataMasking({ erase: { fields: ['$.body.email'], tokenize: key }, logFailure }),
    );
    if (errorHandler) handler.use(httpErrorHandler({ logger: (error) => console.error(error) }));
    return { lambda, handler };
  };

  test('KMS throttled: 503 with Retry-After, the handler never runs, the e-mail nowhere', async () => {
    const fresh = new TokenKey(acme1);
    const { logFailure, messages } = failureLog();
    const { lambda, handler } = stack(fresh, logFailure, true);
    kms.throttle('Decrypt', Number.POSITIVE_INFINITY);
    const response = await invoke<HttpResult>(handler, httpEvent('httpV2Jwt', { method: 'GET' }));
    expect(response.statusCode).toBe(503);
    expect(response.headers).toMatchObject({ 'Retry-After': '1' });
    expect(lambda).not.toHaveBeenCalled();
    expect(kms.count('Decrypt')).toBeGreaterThan(0);
    expect(messages).toEqual([expect.stringContaining('DataMaskingProviderUnavailableError')]);
    expectAbsent(EMAIL, response, messages, out.text());

    // KMS back: the failed unwrap was not remembered, the next request works.
    kms.reset();
    const ok = await invoke<HttpResult>(handler, httpEvent('httpV2Jwt', { method: 'GET' }));
    expect(parsedBody(ok)).toEqual({ id: 'o-1', email: key1.tokenize(EMAIL) });
    expect(kms.count('Decrypt')).toBe(1);
  });

  test('KMS throttled, no error handler: the typed 503 error propagates; the handler never runs', async () => {
    const { lambda, handler } = stack(new TokenKey(acme1), () => undefined, false);
    kms.throttle('Decrypt', Number.POSITIVE_INFINITY);
    for (const event of [httpEvent('alb', { method: 'GET' }), { source: 'aws.events' }]) {
      const error = await invokeRejected(handler, event);
      expect(error).toBeInstanceOf(DataMaskingProviderUnavailableError);
      expect(error).toMatchObject({ statusCode: 503, expose: true });
      expectAbsent(EMAIL, error);
    }
    expect(lambda).not.toHaveBeenCalled();
  });

  test('access to the key denied: a generic 500, the handler never runs, the e-mail nowhere', async () => {
    const { logFailure, messages } = failureLog();
    const { lambda, handler } = stack(new TokenKey(acme1), logFailure, true);
    kms.denyAccess(ARN, 'Decrypt');
    const response = await invoke<HttpResult>(handler, httpEvent('restV1Cognito', { method: 'GET' }));
    expect(response.statusCode).toBe(500);
    expect(String(response.body)).not.toMatch(/KMS|Decrypt|AccessDenied|token key/i);
    expect(lambda).not.toHaveBeenCalled();
    expect(messages).toEqual([expect.stringContaining('DataMaskingDecryptKeyError')]);
    expectAbsent(EMAIL, response, messages, out.text());
    // Without an error handler: the typed error, not exposed.
    const bare = stack(new TokenKey(acme1), () => undefined, false);
    const error = await invokeRejected(bare.handler, httpEvent('restV1Cognito', { method: 'GET' }));
    expect(error).toBeInstanceOf(DataMaskingDecryptKeyError);
    expect(error).toMatchObject({ statusCode: 500, expose: false });
  });
});

describe('the batch surfaces ready the keys once per batch', () => {
  const bodies = [0, 1, 2, 3].map((i) => ({ id: `o-${i}`, email: `user${i}@example.com` }));
  const tokenized = () => bodies.map((b) => ({ ...b, email: key1.tokenize(b.email) }));

  test('maskRecords (SQS): every record tokenized, one Decrypt', async () => {
    const fresh = new TokenKey(acme1);
    const options = { masker: new DataMasking(), erase: { fields: ['email'], tokenize: fresh } };
    const masked = await maskRecords(sqsEvent(bodies), options);
    expect(masked.batchItemFailures).toEqual([]);
    expect(masked.event.Records.map((r) => JSON.parse(r.body))).toEqual(tokenized());
    expect(kms.count('Decrypt')).toBe(1);
    await maskRecords(sqsEvent(bodies), options);
    expect(kms.count('Decrypt')).toBe(1);
  });

  test('maskRecords with a policy', async () => {
    const policy = definePolicy({ fields: ['email'], tokenize: new TokenKey(acme1) });
    const masked = await maskRecords(sqsEvent(bodies), { masker: new DataMasking(), erase: policy });
    expect(masked.event.Records.map((r) => JSON.parse(r.body))).toEqual(tokenized());
    expect(kms.count('Decrypt')).toBe(1);
  });

  test('batchMasking (SQS): the handler sees every record tokenized; one Decrypt', async () => {
    const fresh = new TokenKey(acme1);
    const seen: unknown[] = [];
    const handler = middy<SQSEvent>()
      .use(batchMasking({ masker: new DataMasking(), erase: { fields: ['email'], tokenize: fresh } }))
      .handler(async (event) => {
        for (const r of event.Records) seen.push(JSON.parse(r.body));
        return { batchItemFailures: [] };
      });
    await handler(sqsEvent(bodies), lambdaContext());
    expect(seen).toEqual(tokenized());
    expect(kms.count('Decrypt')).toBe(1);
  });

  test('maskFirehoseRecords: every record Ok and tokenized; one Decrypt', async () => {
    const fresh = new TokenKey(acme1);
    const result = await maskFirehoseRecords(firehoseEvent(bodies).records, {
      masker: new DataMasking(),
      erase: { fields: ['email'], tokenize: fresh },
    });
    expect(result.records.map((r) => r.result)).toEqual(['Ok', 'Ok', 'Ok', 'Ok']);
    expect(result.records.map((r) => decodeFirehose(r.data))).toEqual(tokenized());
    expect(kms.count('Decrypt')).toBe(1);
  });

  test('KMS throttled: the batch fails with a typed error; no record leaves untokenized', async () => {
    kms.throttle('Decrypt', Number.POSITIVE_INFINITY);
    const erase = { fields: ['email'], tokenize: new TokenKey(acme1) };
    await expect(maskRecords(sqsEvent(bodies), { masker: new DataMasking(), erase })).rejects.toBeInstanceOf(
      DataMaskingProviderUnavailableError,
    );
    // The whole transformation fails (Firehose retries it): no record goes out, with or without its data.
    await expect(
      maskFirehoseRecords(firehoseEvent(bodies).records, { masker: new DataMasking(), erase }),
    ).rejects.toBeInstanceOf(DataMaskingProviderUnavailableError);
    // batchMasking: the handler never sees an untokenized record.
    const lambda = jest.fn(async () => ({ batchItemFailures: [] }));
    const handler = middy<SQSEvent>()
      .use(batchMasking({ masker: new DataMasking(), erase }))
      .handler(lambda);
    await expect(handler(sqsEvent(bodies), lambdaContext())).rejects.toBeInstanceOf(
      DataMaskingProviderUnavailableError,
    );
    expect(lambda).not.toHaveBeenCalled();
  });
});

describe('the logger withholds an entry until the key is ready', () => {
  test('MaskingLogFormatter (policy and options): withheld, then tokens once ready', async () => {
    for (const as of ['policy', 'options']) {
      out.clear();
      const fresh = new TokenKey(acme1);
      const options = { fields: ['$..email'], tokenize: fresh };
      const logger = new Logger({
        serviceName: 'orders',
        logFormatter: new MaskingLogFormatter(as === 'policy' ? definePolicy(options) : options),
      });
      logger.info('order placed', { customer: { email: EMAIL } });
      const entries = out.entries();
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({
        message: WITHHELD,
        masking_error: 'DataMaskingTokenKeyNotReadyError',
      });
      expect(out.text()).not.toContain(EMAIL);
      expect(kms.count('Decrypt')).toBe(0); // a synchronous logger cannot unwrap

      await fresh.ready();
      out.clear();
      logger.info('order placed', { customer: { email: EMAIL } });
      expect(out.entry('order placed').customer).toEqual({ email: key1.tokenize(EMAIL) });
      expect(out.text()).not.toContain(EMAIL);
      kms.reset();
    }
  });

  test('createMaskingLogger: withheld, then tokens once the policy is ready', async () => {
    const policy = definePolicy({ fields: ['$..email'], tokenize: new TokenKey(acme1) });
    const lines: unknown[] = [];
    const log = createMaskingLogger({ policy, print: (m) => lines.push(m) });
    log({ event: { body: JSON.stringify({ email: EMAIL }) } });
    expect(lines).toEqual([{ message: WITHHELD, masking_error: 'DataMaskingTokenKeyNotReadyError' }]);
    await policy.ready();
    log({ event: { body: JSON.stringify({ email: EMAIL }) } });
    expect(lines).toHaveLength(2);
    const entry = lines[1] as { event: { body: string } };
    expect(JSON.parse(entry.event.body)).toEqual({ email: key1.tokenize(EMAIL) });
    expect(JSON.stringify(lines)).not.toContain(EMAIL);
  });
});

describe('tokensDetector', () => {
  const masker = new DataMasking({ throwOnMissingField: false });

  test('masks tokens in free text, glued to other words too (a log must not carry them either)', () => {
    const t1 = key1.tokenize(EMAIL);
    const t2 = key2.tokenize(42);
    const body = t1.slice('tok_1_'.length);
    const doc = {
      note: `paid by ${t1} (${t2}).`,
      whole: t1,
      glued: [`s${t1}`, `my_${t1}`, `x-${t1}`, `stok_1_${body}`, `my_tok_1_${body}`],
      plain: 'tokens and tok_ alone',
    };
    expect(masker.erase(doc, { detectors: [tokensDetector] })).toEqual({
      note: 'paid by ***** (*****).',
      whole: '*****',
      glued: ['s*****', 'my_*****', 'x-*****', 's*****', 'my_*****'],
      plain: doc.plain,
    });
    expect(tokensDetector.name).toBe('tokens');
  });

  test('in log entries: message and attributes', () => {
    const t = key1.tokenize(EMAIL);
    const logger = new Logger({
      serviceName: 'orders',
      logFormatter: new MaskingLogFormatter({ detectors: [tokensDetector] }),
    });
    logger.info(`customer ${t} ordered`, { ref: t, other: `my_${t}`, nested: { list: [`a ${t} b`] } });
    const entry = out.entry('customer ***** ordered');
    expect(entry).toMatchObject({ ref: '*****', other: 'my_*****', nested: { list: ['a ***** b'] } });
    expect(out.text()).not.toContain(t.slice('tok_1_'.length));
  });

  test('with a tokenizing policy: tokens in the rules’ output are masked too (detectors run after rules)', async () => {
    const policy = definePolicy({ fields: ['email'], tokenize: key1, detectors: [tokensDetector] });
    expect(policy.erase({ email: EMAIL, note: `see ${key1.tokenize(EMAIL2)}` })).toEqual({
      email: '*****',
      note: 'see *****',
    });
  });
});

/**
 * Matrix 8: when masking an entry fails (a `maskingRules` function that throws, nesting deeper than 64
 * levels, a `toJSON` or getter that throws, an error cause cycle), a placeholder is printed instead of
 * the entry: in the formatter it keeps the level, timestamp, service and request id and holds none of
 * the secrets; in `createMaskingLogger` it is `{ message, masking_error }`. The logger keeps working.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import inputOutputLogger from '@middy/input-output-logger';
import { createMaskingLogger } from '../../src/logger.js';
import { invoke, lambdaContext } from '../middleware/events.js';
import {
  ALL_DETECTORS,
  expectNoSecrets,
  ISO_TIMESTAMP,
  MASK,
  maskingLogger,
  nested,
  S,
  useLoggerEnv,
  useOutput,
  WITHHELD,
} from './support.js';

useLoggerEnv();
const out = useOutput();

const SECRETS = [S.card, S.email, S.password, S.jwt];

/** A rule that fails, with the secret it was given in its error message. */
const throwingRule = (value: unknown): never => {
  throw new Error(`cannot mask ${String(value)}`);
};

const secretPayload = () => ({
  payload: { card: S.card, owner: S.email },
  password: S.password,
  token: S.jwt,
});

describe('MaskingLogFormatter', () => {
  test.each([
    ['debug', 'DEBUG'],
    ['info', 'INFO'],
    ['warn', 'WARN'],
    ['error', 'ERROR'],
    ['critical', 'CRITICAL'],
  ] as const)(
    'a maskingRules function that throws: %s prints the placeholder, level kept',
    (method, level) => {
      const logger = maskingLogger(
        { keys: ['password'], detectors: ALL_DETECTORS, maskingRules: { '$.payload.card': throwingRule } },
        { logLevel: 'DEBUG' },
      );
      const before = new Date().toISOString();
      logger[method](`failed for ${S.email}`, secretPayload());
      const entries = out.entries();
      expect(entries).toHaveLength(1);
      expect(entries[0]).toEqual({
        level,
        message: WITHHELD,
        timestamp: expect.stringMatching(ISO_TIMESTAMP),
        service: 'payments',
        masking_error: 'Error',
      });
      expect((entries[0].timestamp as string) >= before).toBe(true);
      expectNoSecrets(out.text(), SECRETS);
    },
  );

  test('the placeholder keeps the request id inside a Middy stack, and the invocation goes on', async () => {
    const logger = maskingLogger({ maskingRules: { '$.payload.card': throwingRule } });
    const handler = middy(async () => {
      logger.info('charging', secretPayload());
      logger.info('charged', { orderId: 'ORD-1' });
      return 'done';
    }).use(injectLambdaContext(logger));
    await expect(invoke(handler, {}, lambdaContext())).resolves.toBe('done');
    const [placeholder, next] = out.entries();
    expect(placeholder).toEqual({
      level: 'INFO',
      message: WITHHELD,
      timestamp: expect.stringMatching(ISO_TIMESTAMP),
      service: 'payments',
      function_request_id: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
      masking_error: 'Error',
    });
    // Entries the rule does not apply to print normally: the logger is not broken.
    expect(next).toMatchObject({ message: 'charged', orderId: 'ORD-1', function_name: 'orders-api' });
    expectNoSecrets(out.text(), SECRETS);
  });

  test('an entry nested deeper than 64 levels prints the placeholder; 64 levels print normally', () => {
    const logger = maskingLogger({ keys: ['password'] });
    logger.info('64 levels', { deep: nested(64, { password: S.password }) });
    logger.error('65 levels', { deep: nested(65, { password: S.password, card: S.card }) });
    logger.warn('far too deep', { deep: nested(500, { token: S.jwt }) });
    const [ok, tooDeep, farTooDeep] = out.entries();
    expect(ok.message).toBe('64 levels');
    expect(JSON.stringify(ok)).toContain('"password":"*****"');
    for (const [entry, level] of [
      [tooDeep, 'ERROR'],
      [farTooDeep, 'WARN'],
    ] as const) {
      expect(entry).toEqual({
        level,
        message: WITHHELD,
        timestamp: expect.stringMatching(ISO_TIMESTAMP),
        service: 'payments',
        masking_error: 'DataMaskingUnsupportedTypeError',
      });
    }
    expectNoSecrets(out.text(), SECRETS);
  });

  test('deep nesting inside an array, an error property or a persistent key is withheld too', () => {
    const logger = maskingLogger({ keys: ['password'] });
    const error = Object.assign(new Error('deep error'), { details: nested(80, { card: S.card }) });
    logger.info('in an array', { list: [[nested(70, { owner: S.email })]] });
    logger.error('in an error', error);
    logger.appendPersistentKeys({ deep: nested(70, { password: S.password }) });
    logger.info('persistent');
    expect(out.entries().map((e) => e.message)).toEqual([WITHHELD, WITHHELD, WITHHELD]);
    expectNoSecrets(out.text(), SECRETS);
  });

  test("a class instance's toJSON or enumerable getter that throws prints the placeholder", () => {
    // A plain object whose own toJSON throws is a bug: see bugs.test.ts.
    const logger = maskingLogger({ detectors: ['email'] });
    class Account {
      public readonly owner = S.email;
    }
    class Statement {
      public readonly owner = S.email;
      public toJSON(): never {
        throw new Error(`toJSON saw ${S.email}`);
      }
    }
    const badJson = new Statement();
    const badGetter = new Account();
    Object.defineProperty(badGetter, 'balance', {
      enumerable: true,
      get: () => {
        throw new Error(`getter saw ${S.card}`);
      },
    });
    logger.info('bad toJSON', { account: badJson });
    logger.info('bad getter', { account: badGetter });
    expect(out.entries().map((e) => [e.message, e.masking_error])).toEqual([
      [WITHHELD, 'Error'],
      [WITHHELD, 'Error'],
    ]);
    expectNoSecrets(out.text(), SECRETS);
  });

  test('an error whose cause chain is a cycle is withheld rather than hanging', () => {
    const logger = maskingLogger({ detectors: ['email'] });
    const a = new Error(`a for ${S.email}`);
    const b = new Error(`b for ${S.email}`, { cause: a });
    (a as { cause?: unknown }).cause = b;
    const started = performance.now();
    logger.error('cycle', b);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(out.entries()).toEqual([expect.objectContaining({ level: 'ERROR', message: WITHHELD })]);
    expectNoSecrets(out.text(), SECRETS);
  });
});

describe('createMaskingLogger', () => {
  test('a maskingRules function that throws prints the placeholder, once, without the message', () => {
    const printed: unknown[] = [];
    const log = createMaskingLogger({
      keys: ['password'],
      maskingRules: { '$.event.payload.card': throwingRule },
      print: (m) => printed.push(m),
    });
    log({ event: secretPayload() });
    expect(printed).toEqual([{ message: WITHHELD, masking_error: 'Error' }]);
    expectNoSecrets(JSON.stringify(printed), SECRETS);
  });

  test('a message nested deeper than 64 levels prints the placeholder; 64 levels print normally', () => {
    const printed: unknown[] = [];
    const log = createMaskingLogger({ keys: ['password'], print: (m) => printed.push(m) });
    log({ event: nested(64, { password: S.password }) });
    log({ event: nested(65, { password: S.password, card: S.card }) });
    log([nested(100, { token: S.jwt })]);
    expect(JSON.stringify(printed[0])).toContain('"password":"*****"');
    expect(printed.slice(1)).toEqual([
      { message: WITHHELD, masking_error: 'DataMaskingUnsupportedTypeError' },
      { message: WITHHELD, masking_error: 'DataMaskingUnsupportedTypeError' },
    ]);
    expectNoSecrets(JSON.stringify(printed), SECRETS);
  });

  test('the default print writes the placeholder as JSON', () => {
    createMaskingLogger({ maskingRules: { '$.event.payload.card': throwingRule } })({
      event: secretPayload(),
    });
    expect(out.entries()).toEqual([{ message: WITHHELD, masking_error: 'Error' }]);
    expectNoSecrets(out.text(), SECRETS);
  });

  test('in a Middy stack the handler still runs and returns; only the failing line is withheld', async () => {
    const printed: unknown[] = [];
    const handler = middy(async () => ({ statusCode: 200, body: `ok for ${S.email}` })).use(
      inputOutputLogger({
        logger: createMaskingLogger({
          detectors: ['email'],
          maskingRules: { '$.event.payload.card': throwingRule },
          print: (m) => printed.push(m),
        }),
      }),
    );
    const result = await invoke(handler, secretPayload());
    expect(result).toEqual({ statusCode: 200, body: `ok for ${S.email}` });
    expect(printed).toEqual([
      { message: WITHHELD, masking_error: 'Error' },
      { response: { statusCode: 200, body: `ok for ${MASK}` } },
    ]);
    expectNoSecrets(JSON.stringify(printed), SECRETS);
  });
});

/**
 * Matrix 3: Error objects, as the extra argument and as `{ error }`, with cause chains, custom
 * properties, secrets in their messages (and so in their stacks), nested errors and AggregateError.
 * Errors are formatted by the Powertools formatter's `formatError` before masking, so `message`,
 * `stack` and every `cause` are strings and objects the masking sees.
 */
import {
  ALL_DETECTORS,
  expectNoSecrets,
  MASK,
  maskingLogger,
  S,
  useLoggerEnv,
  useOutput,
} from './support.js';

useLoggerEnv();
const out = useOutput();

type Formatted = Record<string, unknown> & { message?: string; stack?: string; cause?: Formatted };

const errorOf = (entry: Record<string, unknown>, key = 'error') => entry[key] as Formatted;

class PaymentDeclinedError extends Error {
  public readonly customerEmail: string;
  public readonly card: string;
  public readonly password: string;
  public readonly details: Record<string, unknown>;
  public readonly code = 'CARD_DECLINED';

  public constructor(email: string, card: string) {
    super(`declined for ${email}`);
    this.name = 'PaymentDeclinedError';
    this.customerEmail = email;
    this.card = card;
    this.password = S.password;
    this.details = { apiKey: S.apiKey, attempt: 3, token: S.jwt };
  }
}

describe('an error as the extra argument', () => {
  test('secrets in its message are masked in message and stack; the error is still recognisable', () => {
    const logger = maskingLogger({ detectors: ALL_DETECTORS });
    const error = new Error(`charge failed for ${S.email} card ${S.card} token ${S.jwt}`);
    logger.error('charge failed', error);
    const formatted = errorOf(out.entries()[0]);
    expect(formatted).toMatchObject({
      name: 'Error',
      message: `charge failed for ${MASK} card ${MASK} token ${MASK}`,
    });
    expect(formatted.stack).toMatch(/^Error: charge failed for \*{5} card \*{5} token \*{5}\n\s+at /);
    expect(typeof formatted.location).toBe('string');
    expectNoSecrets(out.text(), [S.email, S.card, S.jwt]);
  });

  test('a cause chain three errors deep, ending in a plain object, is masked at every level', () => {
    const logger = maskingLogger({ keys: ['password'], detectors: ALL_DETECTORS });
    const root = new Error(`db rejected ${S.email2}`, {
      cause: { password: S.password, host: 'db.internal' },
    });
    const middle = new Error(`lookup failed for ssn ${S.ssn}`, { cause: root });
    const top = new Error(`request failed: Bearer ${S.bearer}`, { cause: middle });
    logger.error('request failed', top);
    const formatted = errorOf(out.entries()[0]);
    expect(formatted.message).toBe(`request failed: Bearer ${MASK}`);
    expect(formatted.cause?.message).toBe(`lookup failed for ssn ${MASK}`);
    expect(formatted.cause?.stack).toMatch(/^Error: lookup failed for ssn \*{5}\n/);
    expect(formatted.cause?.cause?.message).toBe(`db rejected ${MASK}`);
    expect(formatted.cause?.cause?.cause).toEqual({ password: MASK, host: 'db.internal' });
    expectNoSecrets(out.text(), [S.bearer, S.ssn, S.email2, S.password]);
  });

  test('custom error properties: secret keys, detected strings and nested objects', () => {
    const logger = maskingLogger({ keys: ['password', 'apiKey'], detectors: ALL_DETECTORS });
    logger.error('declined', new PaymentDeclinedError(S.email, S.card));
    const formatted = errorOf(out.entries()[0]);
    expect(formatted).toMatchObject({
      name: 'PaymentDeclinedError',
      message: `declined for ${MASK}`,
      customerEmail: MASK,
      card: MASK,
      password: MASK,
      code: 'CARD_DECLINED',
      details: { apiKey: MASK, attempt: 3, token: MASK },
    });
    expectNoSecrets(out.text(), [S.email, S.card, S.password, S.apiKey, S.jwt]);
  });

  test('a stack rewritten to hold a secret is masked (the stack is scanned on its own)', () => {
    const logger = maskingLogger({ detectors: ['awsAccessKeyId', 'email'] });
    const error = new Error('opaque');
    error.stack = `Error: opaque\n    at signRequest (key=${S.accessKeyId}, user=${S.email})`;
    logger.error('signing failed', error);
    expect(errorOf(out.entries()[0]).stack).toBe(
      `Error: opaque\n    at signRequest (key=${MASK}, user=${MASK})`,
    );
    expectNoSecrets(out.text(), [S.accessKeyId, S.email]);
  });
});

describe('an error under a key', () => {
  test('{ error } as an extra object', () => {
    const logger = maskingLogger({ detectors: ['email', 'creditCard'] });
    logger.error('failed', { error: new Error(`card ${S.card} of ${S.email}`), orderId: 'ORD-9' });
    const entry = out.entries()[0];
    expect(entry.orderId).toBe('ORD-9');
    expect(errorOf(entry)).toMatchObject({ name: 'Error', message: `card ${MASK} of ${MASK}` });
    expectNoSecrets(out.text(), [S.card, S.email]);
  });

  test('{ message, error } as the message object, with a cause', () => {
    const logger = maskingLogger({ detectors: ['jwt', 'email'] });
    const error = new TypeError(`bad token ${S.jwt}`, { cause: new Error(`for ${S.email}`) });
    logger.error({ message: `auth failed for ${S.email}`, error });
    const entry = out.entries()[0];
    expect(entry.message).toBe(`auth failed for ${MASK}`);
    expect(errorOf(entry)).toMatchObject({
      name: 'TypeError',
      message: `bad token ${MASK}`,
      cause: { message: `for ${MASK}` },
    });
    expectNoSecrets(out.text(), [S.jwt, S.email]);
  });

  test('errors nested in objects and arrays, and an error held by another error property', () => {
    const logger = maskingLogger({ keys: ['password'], detectors: ['email', 'usSsn'] });
    const inner = new Error(`inner for ${S.email}`) as Error & { password?: string };
    inner.password = S.password;
    const outer = new Error('outer') as Error & { upstream?: Error };
    outer.upstream = inner;
    logger.warn('nested errors', { attempts: [{ n: 1, error: new Error(`ssn ${S.ssn}`) }], outer });
    const entry = out.entries()[0] as { attempts: { error: Formatted }[]; outer: Formatted };
    expect(entry.attempts[0].error.message).toBe(`ssn ${MASK}`);
    expect(entry.outer.upstream).toMatchObject({ message: `inner for ${MASK}`, password: MASK });
    expectNoSecrets(out.text(), [S.email, S.ssn, S.password]);
  });

  test('an error under a secret key name is masked whole', () => {
    const logger = maskingLogger({ keys: ['credentialsError'] });
    logger.error('whole', { credentialsError: new Error(`password is ${S.password}`) });
    expect(out.entries()[0].credentialsError).toBe(MASK);
    expectNoSecrets(out.text(), [S.password]);
  });
});

describe('AggregateError', () => {
  test('its message is masked and its inner errors do not leak', () => {
    const logger = maskingLogger({ detectors: ['email', 'creditCard'] });
    const aggregate = new AggregateError(
      [new Error(`first ${S.email}`), new Error(`second ${S.card}`)],
      `2 charges failed for ${S.email2}`,
    );
    logger.error('batch failed', aggregate);
    const formatted = errorOf(out.entries()[0]);
    expect(formatted).toMatchObject({ name: 'AggregateError', message: `2 charges failed for ${MASK}` });
    expectNoSecrets(out.text(), [S.email, S.card, S.email2]);
  });

  test('inner errors made enumerable (as some libraries do) are masked too', () => {
    const logger = maskingLogger({ detectors: ['email'] });
    const aggregate = new AggregateError([new Error(`first ${S.email}`)], 'batch');
    Object.defineProperty(aggregate, 'errors', { enumerable: true, value: aggregate.errors });
    logger.error('batch failed', aggregate);
    const formatted = errorOf(out.entries()[0]) as { errors: Formatted[] };
    expect(formatted.errors[0].message).toBe(`first ${MASK}`);
    expectNoSecrets(out.text(), [S.email]);
  });
});

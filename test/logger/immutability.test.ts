/**
 * Matrix 10: the formatter never writes to what was logged (deep-frozen extra objects, messages,
 * persistent and temporary keys work, and unfrozen ones are left exactly as they were), and cycles in
 * logged values neither throw nor hang: they print '[Circular]', or, for plain objects and arrays, are
 * dropped by the Powertools Logger itself before masking sees them.
 */
import { inspect } from 'node:util';
import { deepFreeze } from '../support/deep-freeze.js';
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

const masking = {
  keys: ['password', 'apiKey', /secret/i],
  fields: ['$.order.card'],
  detectors: ALL_DETECTORS,
};

const fingerprint = (value: unknown) => inspect(value, { depth: Infinity, showHidden: true, getters: true });

class Customer {
  public readonly id = 'c-1';
  public readonly email = S.email;
  public readonly password = S.password;
}

const payload = () => ({
  order: { id: 'ORD-1', card: S.card, lines: [{ sku: 'SKU-1', note: `gift for ${S.email2}` }] },
  customer: new Customer(),
  byId: new Map<string, unknown>([['c-1', { apiKey: S.apiKey }]]),
  seen: new Set([S.ssn]),
  at: new Date('2026-01-01T00:00:00.000Z'),
  error: new Error(`failed for ${S.email}`, { cause: { clientSecret: 'nested-secret-1' } }),
});

const SECRETS = [S.card, S.email, S.email2, S.password, S.apiKey, S.ssn, 'nested-secret-1'];

describe('no mutation', () => {
  test('deep-frozen extra objects, message objects and keys are masked without a write', () => {
    const logger = maskingLogger(masking, {
      persistentKeys: deepFreeze({ deployment: { apiKey: 'persistent-api-key-1', stage: 'prod' } }),
    });
    logger.appendPersistentKeys(deepFreeze({ vault: { secretId: 'persistent-secret-2' } }));
    logger.appendKeys(deepFreeze({ session: { password: 'temporary-password-3' } }));
    const extra = deepFreeze(payload());
    const message = deepFreeze({ message: `frozen for ${S.email}`, apiKey: S.apiKey });
    expect(() => {
      logger.info('frozen extra', extra);
      logger.warn(message, deepFreeze({ list: [deepFreeze({ password: S.password })] }));
      logger.error('frozen error', deepFreeze(new Error(`frozen ${S.card}`)));
    }).not.toThrow();
    const [first, second, third] = out.entries();
    expect(first).toMatchObject({
      order: { id: 'ORD-1', card: MASK, lines: [{ sku: 'SKU-1', note: `gift for ${MASK}` }] },
      customer: { id: 'c-1', email: MASK, password: MASK },
      byId: { 'c-1': { apiKey: MASK } },
      seen: [MASK],
      at: '2026-01-01T00:00:00.000Z',
      deployment: { apiKey: MASK, stage: 'prod' },
      vault: { secretId: MASK },
      session: { password: MASK },
    });
    expect(second).toMatchObject({ message: `frozen for ${MASK}`, apiKey: MASK, list: [{ password: MASK }] });
    expect(third).toMatchObject({ error: { message: `frozen ${MASK}` } });
    expectNoSecrets(out.text(), [
      ...SECRETS,
      'persistent-api-key-1',
      'persistent-secret-2',
      'temporary-password-3',
    ]);
  });

  test('unfrozen values are left exactly as they were: fields, prototypes, Maps, Sets, errors', () => {
    const logger = maskingLogger(masking);
    const extra = payload();
    const keys = { team: { apiKey: S.apiKey } };
    logger.appendKeys(keys);
    const before = fingerprint([extra, keys]);
    logger.info('unfrozen', extra);
    logger.error('the error itself', extra.error);
    expect(fingerprint([extra, keys])).toBe(before);
    expect(extra.customer).toBeInstanceOf(Customer);
    expect(extra.error.message).toBe(`failed for ${S.email}`);
    expect(extra.order.card).toBe(S.card);
    expectNoSecrets(out.text(), SECRETS);
  });

  test('logging the same objects twice prints the same masked entry twice', () => {
    const logger = maskingLogger(masking);
    const extra = payload();
    logger.info('twice', extra);
    logger.info('twice', extra);
    const [a, b] = out.entries();
    const { timestamp: _a, ...first } = a;
    const { timestamp: _b, ...second } = b;
    expect(second).toEqual(first);
  });
});

describe('cycles', () => {
  test('a class instance that references itself prints [Circular]', () => {
    const logger = maskingLogger(masking);
    class Node {
      public readonly secretToken = 'cycle-secret-1';
      public readonly email = S.email;
      public parent: unknown;
      public constructor() {
        this.parent = this;
      }
    }
    logger.info('class cycle', { node: new Node() });
    expect(out.entries()[0].node).toEqual({ secretToken: MASK, email: MASK, parent: '[Circular]' });
    expectNoSecrets(out.text(), ['cycle-secret-1', S.email]);
  });

  test('an error that references itself, and a Map that holds itself, print [Circular]', () => {
    const logger = maskingLogger(masking);
    const error = Object.assign(new Error(`self for ${S.email}`), {
      self: undefined as unknown,
      apiKey: S.apiKey,
    });
    error.self = error;
    const map = new Map<string, unknown>([['password', S.password]]);
    map.set('me', map);
    logger.error('error cycle', { error, map });
    const entry = out.entries()[0] as { error: Record<string, unknown>; map: Record<string, unknown> };
    expect(entry.error).toMatchObject({ message: `self for ${MASK}`, self: '[Circular]', apiKey: MASK });
    expect(entry.map).toEqual({ password: MASK, me: '[Circular]' });
    expectNoSecrets(out.text(), [S.email, S.apiKey, S.password]);
  });

  test('plain object and array cycles neither throw nor hang; the rest of the value prints masked', () => {
    const logger = maskingLogger(masking);
    const plain: Record<string, unknown> = { password: S.password, child: { email: S.email } };
    (plain.child as Record<string, unknown>).back = plain;
    plain.self = plain;
    const list: unknown[] = [{ apiKey: S.apiKey }];
    list.push(list);
    const started = performance.now();
    expect(() => logger.info('plain cycles', { plain, list })).not.toThrow();
    expect(performance.now() - started).toBeLessThan(3000);
    const entry = out.entries()[0] as { plain: Record<string, unknown>; list: unknown[] };
    expect(entry.plain).toMatchObject({ password: MASK, child: { email: MASK } });
    // The Powertools Logger drops plain cycles itself (its deepMerge and JSON replacer): either form is safe.
    expect([undefined, '[Circular]']).toContain(entry.plain.self);
    expect([undefined, '[Circular]']).toContain((entry.plain.child as Record<string, unknown>).back);
    expect(entry.list[0]).toEqual({ apiKey: MASK });
    expect(entry.list.slice(1).every((item) => item === '[Circular]' || item === null)).toBe(true);
    expectNoSecrets(out.text(), [S.password, S.email, S.apiKey]);
  });

  test('the same object twice (a diamond, not a cycle) is printed twice, masked both times', () => {
    const logger = maskingLogger(masking);
    const shared = new Customer();
    logger.info('diamond', { a: shared, b: { again: shared }, list: [shared, shared] });
    const masked = { id: 'c-1', email: MASK, password: MASK };
    expect(out.entries()[0]).toMatchObject({ a: masked, b: { again: masked }, list: [masked, masked] });
  });

  test('a persistent key whose value is cyclic keeps every later entry printable', () => {
    const logger = maskingLogger(masking);
    const config = new (class Config {
      public readonly apiKey = S.apiKey;
      public readonly self: unknown = this;
    })();
    logger.appendPersistentKeys({ config });
    logger.info('one');
    logger.info('two');
    expect(out.entries().map((e) => e.config)).toEqual([
      { apiKey: MASK, self: '[Circular]' },
      { apiKey: MASK, self: '[Circular]' },
    ]);
    expectNoSecrets(out.text(), [S.apiKey]);
  });
});

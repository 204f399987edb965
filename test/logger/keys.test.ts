/**
 * Matrix 2: where secrets enter an entry (`appendKeys`, `appendPersistentKeys`, the `persistentKeys`
 * constructor option, `removeKeys`, extra objects, nested objects and arrays) and how key names match
 * (any case by default, RegExps, `caseSensitiveKeys: true`).
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

describe('temporary and persistent keys', () => {
  test('appendKeys: a temporary secret key is masked in every entry until removeKeys drops it', () => {
    const logger = maskingLogger({ keys: ['password', 'apiKey'] });
    logger.appendKeys({ password: S.password, apiKey: S.apiKey, tenant: 'acme' });
    logger.info('first');
    logger.warn('second');
    logger.removeKeys(['password']);
    logger.info('after removeKeys');
    const [first, second, third] = out.entries();
    expect(first).toMatchObject({ password: MASK, apiKey: MASK, tenant: 'acme' });
    expect(second).toMatchObject({ password: MASK, apiKey: MASK, tenant: 'acme' });
    expect(third).not.toHaveProperty('password');
    expect(third).toMatchObject({ apiKey: MASK, tenant: 'acme' });
    expectNoSecrets(out.text(), [S.password, S.apiKey]);
  });

  test('appendKeys with nested secrets: keys at any depth and detected strings', () => {
    const logger = maskingLogger({ keys: ['authorization'], detectors: ['email', 'jwt'] });
    logger.appendKeys({ request: { headers: { Authorization: `Bearer ${S.jwt}` }, user: S.email } });
    logger.info('handled');
    expect(out.entries()[0]).toMatchObject({ request: { headers: { Authorization: MASK }, user: MASK } });
    expectNoSecrets(out.text(), [S.jwt, S.email]);
  });

  test('appendPersistentKeys: masked in every entry, also after resetKeys', () => {
    const logger = maskingLogger({ keys: ['password'], detectors: ['email'] });
    logger.appendPersistentKeys({ password: S.password, owner: S.email, region: 'eu-west-1' });
    logger.info('one');
    logger.resetKeys();
    logger.error('two');
    for (const entry of out.entries()) {
      expect(entry).toMatchObject({ password: MASK, owner: MASK, region: 'eu-west-1' });
    }
    expect(out.entries()).toHaveLength(2);
    expectNoSecrets(out.text(), [S.password, S.email]);
  });

  test('the persistentKeys constructor option is masked, and removePersistentKeys drops a key', () => {
    const logger = maskingLogger(
      { keys: ['apiKey', 'password'] },
      { persistentKeys: { apiKey: S.apiKey, db: { user: 'app', password: S.password } } },
    );
    logger.info('with persistent keys');
    logger.removePersistentKeys(['apiKey']);
    logger.info('apiKey removed');
    const [first, second] = out.entries();
    expect(first).toMatchObject({ apiKey: MASK, db: { user: 'app', password: MASK } });
    expect(second).not.toHaveProperty('apiKey');
    expect(second).toMatchObject({ db: { user: 'app', password: MASK } });
    expectNoSecrets(out.text(), [S.apiKey, S.password]);
  });

  test('a temporary key overriding a persistent one is masked either way', () => {
    const logger = maskingLogger({ keys: ['token'] }, { persistentKeys: { token: 'persistent-token-1' } });
    logger.appendKeys({ token: 'temporary-token-2' });
    logger.info('override');
    logger.removeKeys(['token']);
    logger.info('back to persistent');
    expect(out.entries().map((e) => e.token)).toEqual([MASK, MASK]);
    expectNoSecrets(out.text(), ['persistent-token-1', 'temporary-token-2']);
  });
});

describe('extra objects, nesting and arrays', () => {
  test('several extra objects, nested objects and arrays of objects', () => {
    const logger = maskingLogger({ keys: ['password', 'cvv', 'apiKey'], detectors: ALL_DETECTORS });
    logger.info(
      'checkout',
      {
        customer: {
          id: 'c-1',
          email: S.email,
          credentials: [{ password: S.password }, { apiKey: S.apiKey }],
        },
      },
      { payment: { cards: [S.card, S.amex], cvv: '737', amount: 42.5 } },
      { matrix: [[{ password: 'deep-in-arrays-1' }], [[`ssn ${S.ssn}`]]] },
    );
    expect(out.entries()[0]).toMatchObject({
      customer: { id: 'c-1', email: MASK, credentials: [{ password: MASK }, { apiKey: MASK }] },
      payment: { cards: [MASK, MASK], cvv: MASK, amount: 42.5 },
      matrix: [[{ password: MASK }], [[`ssn ${MASK}`]]],
    });
    expectNoSecrets(out.text(), [
      S.email,
      S.password,
      S.apiKey,
      S.card,
      S.amex,
      '737',
      'deep-in-arrays-1',
      S.ssn,
    ]);
  });

  test('the value under a secret key is masked whatever it is: object, array, number, boolean, null', () => {
    const logger = maskingLogger({ keys: ['secret'] });
    logger.info('shapes', {
      a: { secret: { nested: 'object-secret-1', more: ['x'] } },
      b: { secret: ['array-secret-1', 'array-secret-2'] },
      c: { secret: 987654321 },
      d: { secret: true },
      e: { secret: null },
    });
    const entry = out.entries()[0];
    expect(entry).toMatchObject({
      a: { secret: MASK },
      b: { secret: MASK },
      c: { secret: MASK },
      d: { secret: MASK },
      e: { secret: MASK },
    });
    expectNoSecrets(out.text(), ['object-secret-1', 'array-secret-1', 'array-secret-2', '987654321']);
  });

  test('key names stay visible; only their values are masked', () => {
    const logger = maskingLogger({ keys: ['password'] });
    logger.info('visible names', { user: { password: S.password } });
    expect(out.text()).toContain('"password":"*****"');
  });
});

describe('key matching', () => {
  test('names match in any case by default: Password, AUTHORIZATION, pAsSwOrD', () => {
    const logger = maskingLogger({ keys: ['password', 'Authorization'] });
    logger.info('cases', {
      Password: 'case-secret-1',
      PASSWORD: 'case-secret-2',
      pAsSwOrD: 'case-secret-3',
      headers: { AUTHORIZATION: 'case-secret-4', authorization: 'case-secret-5' },
    });
    expect(out.entries()[0]).toMatchObject({
      Password: MASK,
      PASSWORD: MASK,
      pAsSwOrD: MASK,
      headers: { AUTHORIZATION: MASK, authorization: MASK },
    });
    expectNoSecrets(out.text(), [
      'case-secret-1',
      'case-secret-2',
      'case-secret-3',
      'case-secret-4',
      'case-secret-5',
    ]);
  });

  test('RegExp keys (/secret/i) match any key that contains them, at any depth', () => {
    const logger = maskingLogger({ keys: [/secret/i, /^x-api-/] });
    logger.info('regexp keys', {
      clientSecret: 'rx-secret-1',
      SECRET_TOKEN: 'rx-secret-2',
      config: { 'aws.secretAccessKey': 'rx-secret-3', list: [{ my_secret: 'rx-secret-4' }] },
      headers: { 'x-api-key': 'rx-secret-5', 'x-request-id': 'req-1' },
      secretary: 'also matched: the RegExp is a substring test',
    });
    expect(out.entries()[0]).toMatchObject({
      clientSecret: MASK,
      SECRET_TOKEN: MASK,
      config: { 'aws.secretAccessKey': MASK, list: [{ my_secret: MASK }] },
      headers: { 'x-api-key': MASK, 'x-request-id': 'req-1' },
      secretary: MASK,
    });
    expectNoSecrets(out.text(), ['rx-secret-1', 'rx-secret-2', 'rx-secret-3', 'rx-secret-4', 'rx-secret-5']);
  });

  test('a global or sticky RegExp key keeps matching on every entry (no lastIndex carry-over)', () => {
    const logger = maskingLogger({ keys: [/token/gy, /secret/g] });
    for (let i = 0; i < 5; i++)
      logger.info(`entry ${i}`, { token: `gy-token-${i}`, a: { my_secret: `g-${i}-x` } });
    for (const entry of out.entries()) expect(entry).toMatchObject({ token: MASK, a: { my_secret: MASK } });
    expect(out.entries()).toHaveLength(5);
    expectNoSecrets(
      out.text(),
      [0, 1, 2, 3, 4].flatMap((i) => [`gy-token-${i}`, `g-${i}-x`]),
    );
  });

  test('caseSensitiveKeys: true masks exact names only (documented behaviour: other cases print)', () => {
    const logger = maskingLogger({ keys: ['password', /^Token$/], caseSensitiveKeys: true });
    logger.info('case sensitive', {
      password: 'exact-secret-1',
      Password: 'other-case-1',
      Token: 'exact-secret-2',
      token: 'other-case-2',
    });
    expect(out.entries()[0]).toMatchObject({
      password: MASK,
      Password: 'other-case-1',
      Token: MASK,
      token: 'other-case-2',
    });
    expectNoSecrets(out.text(), ['exact-secret-1', 'exact-secret-2']);
  });

  test('a RegExp with the i flag still matches any case under caseSensitiveKeys', () => {
    const logger = maskingLogger({ keys: [/^password$/i], caseSensitiveKeys: true });
    logger.info('i flag', { PASSWORD: 'flag-secret-1', Password: 'flag-secret-2' });
    expect(out.entries()[0]).toMatchObject({ PASSWORD: MASK, Password: MASK });
    expectNoSecrets(out.text(), ['flag-secret-1', 'flag-secret-2']);
  });

  test('keys are matched on top-level keys of the entry too (a key named like a secret)', () => {
    const logger = maskingLogger({ keys: ['authorization'] });
    logger.info({ message: 'top level', Authorization: `Bearer ${S.bearer}` });
    expect(out.entries()[0]).toMatchObject({ message: 'top level', Authorization: MASK });
    expectNoSecrets(out.text(), [S.bearer]);
  });
});

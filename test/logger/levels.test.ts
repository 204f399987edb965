/**
 * Matrix 1: every level (`debug`, `info`, `warn`, `error`, `critical`) of a real Powertools Logger at
 * `DEBUG`, with secrets in message strings and in structured message objects.
 */
import {
  ALL_DETECTORS,
  DETECTABLE,
  DETECTABLE_TEXT,
  expectNoSecrets,
  MASK,
  maskingLogger,
  S,
  useLoggerEnv,
  useOutput,
} from './support.js';

useLoggerEnv();
const out = useOutput();

const LEVELS = [
  ['debug', 'DEBUG', 'stdout'],
  ['info', 'INFO', 'stdout'],
  ['warn', 'WARN', 'stderr'],
  ['error', 'ERROR', 'stderr'],
  ['critical', 'CRITICAL', 'stderr'],
] as const;

const fullMasking = () =>
  maskingLogger(
    { keys: ['password', 'authorization', 'apiKey'], detectors: ALL_DETECTORS },
    { logLevel: 'DEBUG' },
  );

describe.each(LEVELS)('logger.%s', (method, level, stream) => {
  test('a message string holding every detectable secret is masked, the rest of the text kept', () => {
    const logger = fullMasking();
    logger[method](`payment failed: ${DETECTABLE_TEXT}`);
    const [entry] = out.entries();
    expect(out.entries()).toHaveLength(1);
    expect(entry.level).toBe(level);
    expect(out.writes().every((w) => w.stream === stream)).toBe(true);
    expect(entry.message).toEqual(expect.stringContaining('payment failed: contact *****'));
    expect(entry.message).toEqual(expect.stringContaining('Authorization: Bearer *****'));
    expect(entry.message).toEqual(expect.stringContaining('aws_secret_access_key=*****'));
    expectNoSecrets(out.text(), DETECTABLE);
  });

  test('a structured message object: secret keys and detected strings masked at any depth', () => {
    const logger = fullMasking();
    logger[method]({
      message: `login for ${S.email}`,
      password: S.password,
      user: { id: 'u-42', email: S.email2, apiKey: S.apiKey, cards: [{ number: S.card, last4: '1111' }] },
      headers: { Authorization: `Bearer ${S.jwt}` },
    });
    const entry = out.entries()[0];
    expect(entry).toMatchObject({
      level,
      message: `login for ${MASK}`,
      password: MASK,
      user: { id: 'u-42', email: MASK, apiKey: MASK, cards: [{ number: MASK, last4: '1111' }] },
      headers: { Authorization: MASK },
    });
    expectNoSecrets(out.text(), [...DETECTABLE, S.password, S.apiKey]);
  });

  test('a message string with extra objects and a string extra argument', () => {
    const logger = fullMasking();
    logger[method](`order for ${S.email}`, { order: { id: 'ORD-1001', card: S.card } });
    logger[method]('with a string extra', `ssn ${S.ssn} and key ${S.accessKeyId}`);
    const [first, second] = out.entries();
    expect(first).toMatchObject({
      level,
      message: `order for ${MASK}`,
      order: { id: 'ORD-1001', card: MASK },
    });
    expect(second).toMatchObject({ level, extra: `ssn ${MASK} and key ${MASK}` });
    expectNoSecrets(out.text(), DETECTABLE);
  });
});

test('levels below the threshold print nothing, and nothing is masked in vain', () => {
  const logger = maskingLogger({ detectors: ['email'] }, { logLevel: 'WARN' });
  logger.debug(`debug ${S.email}`);
  logger.info(`info ${S.email}`);
  logger.warn(`warn ${S.email}`);
  expect(out.entries().map((e) => e.level)).toEqual(['WARN']);
  expectNoSecrets(out.text(), [S.email]);
});

test('`fields: ["message"]` erases a whole message that no detector would recognise', () => {
  const logger = maskingLogger({ fields: ['message'] }, { logLevel: 'DEBUG' });
  logger.info(`internal note: the vault pin is ${S.pin}`);
  logger.error({ message: `pin ${S.pin}`, orderId: 'ORD-7' });
  const [info, error] = out.entries();
  expect(info).toMatchObject({ level: 'INFO', message: MASK });
  expect(error).toMatchObject({ level: 'ERROR', message: MASK, orderId: 'ORD-7' });
  expectNoSecrets(out.text(), [S.pin]);
});

test('a message that is not a string (an object under `message`) is masked too', () => {
  const logger = maskingLogger({ keys: ['password'], detectors: ['email'] });
  logger.info({ message: { text: `hi ${S.email}`, password: S.password } as unknown as string });
  expect(out.entries()[0].message).toEqual({ text: `hi ${MASK}`, password: MASK });
  expectNoSecrets(out.text(), [S.email, S.password]);
});

/**
 * Matrix 6: loggers derived from a masking Logger and lines printed late. Child loggers (`createChild`,
 * with and without their own keys), log buffering (`logBufferOptions`, flushed on an error log, by
 * `flushBuffer()`, or on an uncaught error through `injectLambdaContext`) and debug sampling
 * (`sampleRateValue: 1`) all keep masking.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { MaskingLogFormatter } from '../../src/logger.js';
import { invoke, lambdaContext } from '../middleware/events.js';
import {
  ALL_DETECTORS,
  expectNoSecrets,
  MASK,
  maskingLogger,
  S,
  TRACE_HEADER,
  TRACE_ID,
  useLoggerEnv,
  useOutput,
} from './support.js';

useLoggerEnv();
const out = useOutput();

const masking = { keys: ['password', 'apiKey'], detectors: ALL_DETECTORS };

describe('child loggers', () => {
  test('a child without options masks like its parent and inherits masked persistent and temporary keys', () => {
    const parent = maskingLogger(masking, { persistentKeys: { apiKey: S.apiKey, team: 'billing' } });
    parent.appendKeys({ password: S.password });
    const child = parent.createChild();
    child.info(`child says ${S.email}`, { card: S.card });
    child.error('child error', new Error(`ssn ${S.ssn}`));
    const [info, error] = out.entries();
    expect(info).toMatchObject({
      service: 'payments',
      message: `child says ${MASK}`,
      card: MASK,
      apiKey: MASK,
      password: MASK,
      team: 'billing',
    });
    expect(error).toMatchObject({ level: 'ERROR', error: { message: `ssn ${MASK}` }, apiKey: MASK });
    expectNoSecrets(out.text(), [S.email, S.card, S.ssn, S.apiKey, S.password]);
  });

  test('a child with its own persistent keys, service and level masks them too', () => {
    const parent = maskingLogger(masking);
    const child = parent.createChild({
      serviceName: 'payments-child',
      logLevel: 'DEBUG',
      persistentKeys: { apiKey: 'child-api-key-1', owner: S.email2 },
    });
    child.debug('child debug', { nested: { password: 'child-password-1' } });
    child.appendKeys({ session: `Bearer ${S.bearer}` });
    child.info('child info');
    parent.info('parent is unaffected by the child keys');
    const [debug, info, parentInfo] = out.entries();
    expect(debug).toMatchObject({
      service: 'payments-child',
      level: 'DEBUG',
      apiKey: MASK,
      owner: MASK,
      nested: { password: MASK },
    });
    expect(info).toMatchObject({ session: `Bearer ${MASK}`, apiKey: MASK });
    expect(parentInfo).not.toHaveProperty('owner');
    expect(parentInfo.service).toBe('payments');
    expectNoSecrets(out.text(), ['child-api-key-1', S.email2, 'child-password-1', S.bearer]);
  });

  test('a grandchild keeps masking, and so do children made inside a Middy stack', async () => {
    const parent = maskingLogger(masking);
    const handler = middy(async () => {
      const child = parent.createChild({ persistentKeys: { step: 'charge' } });
      const grandchild = child.createChild();
      grandchild.warn(`retry for ${S.email}`, { apiKey: S.apiKey });
      return { ok: true };
    }).use(injectLambdaContext(parent));
    await invoke(handler, {}, lambdaContext());
    expect(out.entries()[0]).toMatchObject({
      message: `retry for ${MASK}`,
      apiKey: MASK,
      step: 'charge',
      function_name: 'orders-api',
    });
    expectNoSecrets(out.text(), [S.email, S.apiKey]);
  });
});

describe('log buffering', () => {
  beforeEach(() => {
    process.env._X_AMZN_TRACE_ID = TRACE_HEADER;
  });

  test('buffered debug lines are held, then flushed masked by an error log, before it', () => {
    const logger = maskingLogger(masking, { logBufferOptions: { enabled: true } });
    logger.debug(`buffered for ${S.email}`, { password: S.password });
    logger.debug('buffered card', { card: S.card });
    expect(out.lines()).toHaveLength(0);
    logger.info('not buffered');
    expect(out.entries().map((e) => e.message)).toEqual(['not buffered']);
    logger.error(`failed with ${S.jwt}`);
    const entries = out.entries();
    expect(entries.map((e) => [e.level, e.message])).toEqual([
      ['INFO', 'not buffered'],
      ['DEBUG', `buffered for ${MASK}`],
      ['DEBUG', 'buffered card'],
      ['ERROR', `failed with ${MASK}`],
    ]);
    expect(entries[1]).toMatchObject({ password: MASK, xray_trace_id: TRACE_ID });
    expect(entries[2]).toMatchObject({ card: MASK });
    expectNoSecrets(out.text(), [S.email, S.password, S.card, S.jwt]);
  });

  test('flushBuffer() prints buffered lines masked; bufferAtVerbosity WARN buffers debug, info and warn', () => {
    const logger = maskingLogger(masking, {
      logLevel: 'DEBUG',
      logBufferOptions: { enabled: true, bufferAtVerbosity: 'WARN', flushOnErrorLog: false },
    });
    logger.debug(`debug ${S.ssn}`);
    logger.info(`info ${S.accessKeyId}`);
    logger.warn('warn', { apiKey: S.apiKey });
    logger.error('error does not flush');
    expect(out.entries().map((e) => e.message)).toEqual(['error does not flush']);
    logger.flushBuffer();
    expect(out.entries().map((e) => e.message)).toEqual([
      'error does not flush',
      `debug ${MASK}`,
      `info ${MASK}`,
      'warn',
    ]);
    expect(out.entry('warn').apiKey).toBe(MASK);
    expectNoSecrets(out.text(), [S.ssn, S.accessKeyId, S.apiKey]);
  });

  test('an uncaught error flushes the buffer masked (injectLambdaContext flushBufferOnUncaughtError)', async () => {
    const logger = maskingLogger(masking, { logBufferOptions: { enabled: true } });
    const handler = middy(async () => {
      logger.debug(`about to charge ${S.card} for ${S.email}`);
      throw new Error(`charge failed: Bearer ${S.bearer}`, { cause: { password: S.password } });
    }).use(injectLambdaContext(logger, { flushBufferOnUncaughtError: true }));
    await expect(invoke(handler, {}, lambdaContext())).rejects.toThrow('charge failed');
    const entries = out.entries();
    expect(entries.map((e) => e.level)).toEqual(['DEBUG', 'ERROR']);
    expect(entries[0]).toMatchObject({
      message: `about to charge ${MASK} for ${MASK}`,
      function_name: 'orders-api',
    });
    expect(entries[1]).toMatchObject({
      message: 'Uncaught error detected, flushing log buffer before exit',
      error: { message: `charge failed: Bearer ${MASK}`, cause: { password: MASK } },
    });
    expectNoSecrets(out.text(), [S.card, S.email, S.bearer, S.password]);
  });

  test('a child logger inherits the buffer configuration and buffers masked lines', () => {
    const parent = maskingLogger(masking, { logBufferOptions: { enabled: true } });
    const child = parent.createChild({ persistentKeys: { apiKey: S.apiKey } });
    child.debug(`child buffered ${S.email}`);
    expect(out.lines()).toHaveLength(0);
    child.flushBuffer();
    expect(out.entries()[0]).toMatchObject({ message: `child buffered ${MASK}`, apiKey: MASK });
    expectNoSecrets(out.text(), [S.email, S.apiKey]);
  });

  test('a buffered line that cannot be masked is flushed as the placeholder', () => {
    const logger = maskingLogger(
      {
        keys: ['password'],
        maskingRules: {
          '$.payload.card': () => {
            throw new Error('rule failed');
          },
        },
      },
      { logBufferOptions: { enabled: true } },
    );
    logger.debug('buffered', { payload: { card: S.card }, password: S.password });
    logger.flushBuffer();
    expect(out.entries()).toEqual([
      expect.objectContaining({ level: 'DEBUG', message: 'log entry withheld: masking it failed' }),
    ]);
    expectNoSecrets(out.text(), [S.card, S.password]);
  });
});

describe('debug sampling', () => {
  test('sampleRateValue: 1 turns DEBUG on; the sampled debug lines are masked', () => {
    const logger = maskingLogger(masking, { logLevel: 'INFO', sampleRateValue: 1 });
    logger.debug(`sampled debug for ${S.email}`, { password: S.password });
    const entries = out.entries();
    expect(entries.map((e) => e.message)).toEqual([
      'Setting log level to DEBUG due to sampling rate',
      `sampled debug for ${MASK}`,
    ]);
    for (const entry of entries) expect(entry).toMatchObject({ level: 'DEBUG', sampling_rate: 1 });
    expect(entries[1].password).toBe(MASK);
    expectNoSecrets(out.text(), [S.email, S.password]);
  });

  test('POWERTOOLS_LOGGER_SAMPLE_RATE=1 and warm invocations (refreshed sampling) keep masking', async () => {
    process.env.POWERTOOLS_LOGGER_SAMPLE_RATE = '1';
    const logger = new Logger({ serviceName: 'payments', logFormatter: new MaskingLogFormatter(masking) });
    const handler = middy(async (event: { n: number }) => {
      logger.debug(`invocation ${event.n} for ${S.email}`, { apiKey: S.apiKey });
      return event.n;
    }).use(injectLambdaContext(logger));
    for (const n of [1, 2, 3]) await invoke(handler, { n }, lambdaContext());
    const sampled = out.entries().filter((e) => String(e.message).startsWith('invocation'));
    expect(sampled.map((e) => e.message)).toEqual([1, 2, 3].map((n) => `invocation ${n} for ${MASK}`));
    for (const entry of sampled) expect(entry).toMatchObject({ apiKey: MASK, sampling_rate: 1 });
    expectNoSecrets(out.text(), [S.email, S.apiKey]);
  });

  test('a child of a sampled logger keeps the sampling rate and the masking', () => {
    const parent = maskingLogger(masking, { sampleRateValue: 1 });
    const child = parent.createChild();
    child.debug(`child sampled ${S.card}`);
    const entry = out.entry(`child sampled ${MASK}`);
    expect(entry).toMatchObject({ level: 'DEBUG', sampling_rate: 1 });
    expectNoSecrets(out.text(), [S.card]);
  });
});

/**
 * Defects found by the log-masking matrix, kept as `test.failing`: each passes while the defect is there
 * and fails (prompting its move to a plain `test`) once it is fixed. Every test states its input, what is
 * expected, what happens, and the cause.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import inputOutputLogger from '@middy/input-output-logger';
import { createMaskingLogger } from '../../src/logger.js';
import { invoke, lambdaContext, restV1CognitoEvent } from '../middleware/events.js';
import { expectNoSecrets, MASK, maskingLogger, S, useLoggerEnv, useOutput, WITHHELD } from './support.js';

useLoggerEnv();
const out = useOutput();

/**
 * BUG 1 — a plain object with its own `toJSON` prints what `toJSON` returns, unmasked.
 *
 * Input: `logger.info('account', { account: { id: 1, toJSON: () => ({ email, password }) } })` with
 * `keys: ['password'], detectors: ['email']` (and the same object through `createMaskingLogger`).
 * Expected: `"account":{"email":"*****","password":"*****"}` ("toJSON results are masked").
 * Actual: `"account":{"email":"jane.doe@example.com","password":"hunter2-…"}`.
 * Cause: `EntryMasker.#walk` (src/logger/entry-masker.ts) takes the `Array.isArray(value) ||
 * isPlainObject(value)` branch before it looks for `toJSON`, so a plain object's `toJSON` is copied as
 * an ordinary (function) member; `JSON.stringify` at print time (the Logger's `printLog`, the default
 * `print`) then calls it and prints its unmasked result. Fix: test `typeof value.toJSON === 'function'`
 * first, for any object, as `JSON.stringify` does.
 */
describe('regression (was bug 1): plain objects with their own toJSON', () => {
  const account = () => ({ id: 1, toJSON: () => ({ email: S.email, password: S.password }) });

  test('MaskingLogFormatter masks what a plain object’s toJSON returns', () => {
    const logger = maskingLogger({ keys: ['password'], detectors: ['email'] });
    logger.info('account', { account: account() });
    expect(out.entries()[0].account).toEqual({ email: MASK, password: MASK });
    expectNoSecrets(out.text(), [S.email, S.password]);
  });

  test('createMaskingLogger masks what a plain object’s toJSON returns', () => {
    createMaskingLogger({ keys: ['password'], detectors: ['email'] })({ event: { account: account() } });
    expectNoSecrets(out.text(), [S.email, S.password]);
  });
});

/**
 * BUG 2 — a plain object whose own `toJSON` throws makes the logging call throw, instead of printing the
 * placeholder.
 *
 * Input: `logger.info('x', { account: { toJSON() { throw new Error('…') } } })`; and the same value in an
 * event logged by `inputOutputLogger({ logger: createMaskingLogger() })`.
 * Expected: no exception; the placeholder (`message: 'log entry withheld: masking it failed'`) printed,
 * as for a class instance whose `toJSON` throws (see failures.test.ts); the invocation goes on.
 * Actual: `logger.info` throws the toJSON error (the Logger's `JSON.stringify` in `printLog` calls it,
 * outside the formatter's try/catch); with input-output-logger the default `print` throws, and the
 * Middy invocation fails before the handler runs.
 * Cause: same as BUG 1 — `toJSON` is never called inside `EntryMasker.mask`, where a throw would be
 * caught and turned into the placeholder; it is called later, by the printer.
 */
describe('regression (was bug 2): a plain object whose own toJSON throws', () => {
  const throwing = () => ({
    owner: S.email,
    toJSON: () => {
      throw new Error('toJSON failed');
    },
  });

  test('MaskingLogFormatter prints the placeholder instead of throwing from logger.info', () => {
    const logger = maskingLogger({ detectors: ['email'] });
    expect(() => logger.info('x', { account: throwing() })).not.toThrow();
    expect(out.entries()).toEqual([expect.objectContaining({ level: 'INFO', message: WITHHELD })]);
  });

  test('input-output-logger with createMaskingLogger does not fail the invocation', async () => {
    const handler = middy(async () => ({ statusCode: 200 })).use(
      inputOutputLogger({ logger: createMaskingLogger({ detectors: ['email'] }) }),
    );
    await expect(invoke(handler, { account: throwing() })).resolves.toEqual({ statusCode: 200 });
    expect(out.entries()[0]).toEqual({ message: WITHHELD, masking_error: 'Error' });
  });
});

/**
 * BUG 3 — a boxed string (`new String(…)`) is printed as an object of single characters, which no
 * detector can match: the secret is printed, one character per key.
 *
 * Input: `logger.info('boxed', { note: new String('contact jane.doe@example.com') })` with
 * `detectors: ['email']`; the same through `createMaskingLogger`.
 * Expected: `"note":"contact *****"` — `JSON.stringify(new String(s))` prints the string `s`.
 * Actual: `"note":{"0":"c","1":"o",…,"8":"j","9":"a",…}` — the address spelled out, unmasked.
 * Cause: `EntryMasker.#walk` treats any non-plain object without `toJSON` as a class instance and walks
 * `{ ...value }`; a `String` object's own enumerable members are its indexed characters. (`new Number(5)`
 * likewise prints `{}` instead of `5`.) Fix: unwrap `String`/`Number`/`Boolean` (and `BigInt`) objects
 * with `valueOf()` before walking, as `JSON.stringify` does.
 */
describe('regression (was bug 3): boxed strings', () => {
  const boxed = () => new String(`contact ${S.email}`);

  test('MaskingLogFormatter prints a boxed string as a masked string', () => {
    const logger = maskingLogger({ detectors: ['email'] });
    logger.info('boxed', { note: boxed() });
    expect(out.entries()[0].note).toBe(`contact ${MASK}`);
  });

  test('createMaskingLogger prints a boxed string as a masked string', () => {
    const printed: unknown[] = [];
    createMaskingLogger({ detectors: ['email'], print: (m) => printed.push(JSON.parse(JSON.stringify(m))) })({
      note: boxed(),
    });
    expect(printed).toEqual([{ note: `contact ${MASK}` }]);
  });
});

/**
 * BUG 4 — the detector exemption of the Powertools keys goes by key name only: user data logged under
 * one of those names skips every detector.
 *
 * Input: `logger.info('invoke', { function_name: 'notify-jane.doe@example.com', xray_trace_id:
 * 'Bearer <jwt>' })` with `detectors: ['email', 'jwt', 'bearerToken']` and no Lambda context. The
 * Powertools Logger rejects only `level`, `message`, `sampling_rate`, `service` and `timestamp` as user
 * keys, so these extra keys replace the (absent) Powertools values in the entry.
 * Expected: `"function_name":"notify-*****"`, `"xray_trace_id":"Bearer *****"`.
 * Actual: both printed as logged, e-mail and JWT included.
 * Cause: `EntryMasker.mask` skips detectors for every top-level key in the exempt list
 * (`POWERTOOLS_KEYS` in src/logger/masking-log-formatter.ts) whose value is a primitive, whoever set
 * it. Fix: exempt a key only when its value is the one the formatter derived from the unformatted
 * attributes (`attributes.lambdaContext.functionName`, `attributes.xRayTraceId`, …), i.e. when it did
 * not come from `additionalLogAttributes`.
 */
test('regression (was bug 4): user data under a Powertools key name is still scanned by detectors', () => {
  const logger = maskingLogger({ detectors: ['email', 'jwt', 'bearerToken'] });
  logger.info('invoke', { function_name: `notify-${S.email}`, xray_trace_id: `Bearer ${S.jwt}` });
  expectNoSecrets(out.text(), [S.email, S.jwt]);
});

/**
 * BUG 5 — `correlation_id` is exempt from detectors, although it is not one of the Powertools keys the
 * formatter documents as exempt, and it usually comes from the request (a client-controlled header).
 *
 * Input: a Logger with `correlationIdSearchFn` and `injectLambdaContext(logger, { correlationIdPath:
 * 'x-correlation-id' })`; a request whose `x-correlation-id` header is `jane.doe@example.com`; masking
 * with `detectors: ['email']`.
 * Expected: `"correlation_id":"*****"` (only level, timestamp, service, cold_start, function_arn,
 * function_memory_size, function_name, function_request_id, sampling_rate and xray_trace_id are exempt).
 * Actual: `"correlation_id":"jane.doe@example.com"` on every entry of the invocation.
 * Cause: `'correlation_id'` is listed in `POWERTOOLS_KEYS` (src/logger/masking-log-formatter.ts), so
 * `EntryMasker.mask` leaves its value alone. Fix: drop it from the list (and see BUG 4).
 */
test('regression (was bug 5): a correlation id taken from the request is scanned by detectors', async () => {
  const logger = maskingLogger(
    { detectors: ['email'] },
    {
      correlationIdSearchFn: (expression: string, data: unknown) =>
        (data as { headers?: Record<string, string> }).headers?.[expression],
    },
  );
  const handler = middy(async () => {
    logger.info('handled');
    return { statusCode: 204 };
  }).use(injectLambdaContext(logger, { correlationIdPath: 'x-correlation-id' }));
  await invoke(handler, restV1CognitoEvent({ headers: { 'x-correlation-id': S.email } }), lambdaContext());
  expect(out.entry('handled').correlation_id).toBe(MASK);
  expectNoSecrets(out.text(), [S.email]);
});

/**
 * BUG 6 (src/detectors, seen through the logger) — an e-mail address glued to a following digit or
 * hyphen is not detected at all, so with the `email` detector on the whole address is printed.
 *
 * Input: `logger.info('contact jane.doe@example.com- ok')`, `… jane.doe@example.com1 …`, `detectors:
 * ['email']`. (Found by the fast-check property in property.test.ts, which now keeps such suffixes out.)
 * Expected: the address masked (`contact *****- ok`), as it is before `.`, `_`, a space or a quote.
 * Actual: printed unchanged.
 * Cause: `domainEnd` in src/detectors/email.ts reads `com-` / `com1` as one label, which is not an
 * all-letter top-level domain, and has no earlier label boundary to fall back to, so it finds no domain
 * and `findEmail` moves on. Falling back to the all-letter prefix of the last label (`com`) when the rest
 * of that label is digits or hyphens would catch it.
 */
test('regression (was bug 6): an e-mail address followed by a hyphen or a digit is masked', () => {
  const logger = maskingLogger({ detectors: ['email'] });
  logger.info(`contact ${S.email}- ok`);
  logger.info(`ref ${S.email}1 ok`);
  expectNoSecrets(out.text(), [S.email]);
});

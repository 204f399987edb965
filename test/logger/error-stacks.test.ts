/**
 * Issue 9, item 3: an error's `stack` repeats its message (`Error: <message>\n    at …`). Wherever
 * masking changes a message — `keys` inside a JSON message, a detector, a field expression or a rule, on
 * the error, its causes, or the inner errors of an AggregateError — the stack must not print the original.
 */
import fc from 'fast-check';
import { patternDetector } from '../../src/detectors/index.js';
import { createMaskingLogger } from '../../src/logger.js';
import { expectNoSecrets, MASK, maskingLogger, S, useLoggerEnv, useOutput } from './support.js';

useLoggerEnv();
const out = useOutput();

type Formatted = Record<string, unknown> & {
  message?: unknown;
  stack?: string | string[];
  cause?: Formatted;
  errors?: Formatted[];
};

const errorOf = (entry: Record<string, unknown>, key = 'error') => entry[key] as Formatted;
const secretJson = () => JSON.stringify({ user: 'jane', password: S.password });
const maskedJson = JSON.stringify({ user: 'jane', password: MASK });

describe('keys: a JSON message with a secret key', () => {
  test("keys: ['password']: the stack starts with the masked message, not the original", () => {
    const logger = maskingLogger({ keys: ['password'] });
    logger.error('x', new Error(secretJson()));
    const formatted = errorOf(out.entries()[0]);
    expect(formatted.message).toBe(maskedJson);
    expect(formatted.stack).toMatch(/^Error: /);
    expect((formatted.stack as string).startsWith(`Error: ${maskedJson}\n    at `)).toBe(true);
    expectNoSecrets(out.text(), [S.password]);
  });

  test('a custom name: the `name: message` header is fixed', () => {
    class PaymentError extends Error {
      public constructor(message: string) {
        super(message);
        this.name = 'PaymentError';
      }
    }
    const logger = maskingLogger({ keys: ['password'] });
    logger.error('x', new PaymentError(secretJson()));
    const formatted = errorOf(out.entries()[0]);
    expect(formatted.name).toBe('PaymentError');
    expect(formatted.message).toBe(maskedJson);
    expectNoSecrets(out.text(), [S.password]);
  });

  test('a multi-line (pretty-printed) JSON message: the whole multi-line header is replaced', () => {
    const logger = maskingLogger({ keys: ['password'] });
    logger.error('x', new Error(JSON.stringify({ user: 'jane', password: S.password }, null, 2)));
    const formatted = errorOf(out.entries()[0]);
    expect(formatted.message).toBe(maskedJson);
    expect((formatted.stack as string).startsWith(`Error: ${maskedJson}\n    at `)).toBe(true);
    expectNoSecrets(out.text(), [S.password]);
  });

  test('dev mode (stack as an array of lines): a multi-line message is found across lines', () => {
    process.env.POWERTOOLS_DEV = 'true';
    const logger = maskingLogger({ keys: ['password'] });
    logger.error('x', new Error(JSON.stringify({ user: 'jane', password: S.password }, null, 2)));
    const text = out.text();
    expectNoSecrets(text, [S.password]);
    const entry = JSON.parse(text) as Record<string, unknown>;
    const stack = errorOf(entry).stack as string[];
    expect(Array.isArray(stack)).toBe(true);
    expect(stack[0]).toBe(`Error: ${maskedJson}`);
    expect(stack[1]).toMatch(/^\s+at /);
  });

  test('a message with the same JSON twice, and the stack repeating it (a rewritten stack)', () => {
    const logger = maskingLogger({ keys: ['password'] });
    const error = new Error(secretJson());
    error.stack = `Error: ${secretJson()}\n    at handler (index.js:1:1)\nrethrown: ${secretJson()}`;
    logger.error('x', error);
    const formatted = errorOf(out.entries()[0]);
    expect(formatted.stack).toBe(
      `Error: ${maskedJson}\n    at handler (index.js:1:1)\nrethrown: ${maskedJson}`,
    );
    expectNoSecrets(out.text(), [S.password]);
  });

  test('`message` itself a secret key: the stack header loses the message too', () => {
    const logger = maskingLogger({ keys: ['message'] });
    logger.error({ message: 'outer', error: new Error(`for ${S.apiKey}`) } as never);
    const formatted = errorOf(out.entries()[0]);
    expect(formatted.message).toBe(MASK);
    expect((formatted.stack as string).startsWith(`Error: ${MASK}\n`)).toBe(true);
    expectNoSecrets(out.text(), [S.apiKey]);
  });
});

describe('cause chains and AggregateError', () => {
  test('a cause with a JSON message: the cause stack is fixed', () => {
    const logger = maskingLogger({ keys: ['password'] });
    logger.error('x', new Error('request failed', { cause: new Error(secretJson()) }));
    const formatted = errorOf(out.entries()[0]);
    expect(formatted.message).toBe('request failed');
    expect(formatted.cause?.message).toBe(maskedJson);
    expect(String(formatted.cause?.stack).startsWith(`Error: ${maskedJson}\n`)).toBe(true);
    expectNoSecrets(out.text(), [S.password]);
  });

  test('an outer message and stack that quote the cause (wrapping, `Caused by:` stacks) are fixed', () => {
    const logger = maskingLogger({ keys: ['password'] });
    const cause = new Error(secretJson());
    const outer = new Error(`lookup failed: ${cause.message}`, { cause });
    outer.stack = `${outer.stack}\nCaused by: ${cause.stack}`;
    logger.error('x', outer);
    const formatted = errorOf(out.entries()[0]);
    expect(formatted.message).toBe(`lookup failed: ${maskedJson}`);
    expect(formatted.stack).toContain(`Caused by: Error: ${maskedJson}`);
    expectNoSecrets(out.text(), [S.password]);
  });

  test('three levels deep, each with its own secret', () => {
    const logger = maskingLogger({ keys: ['password', 'pin'] });
    const root = new Error(JSON.stringify({ pin: S.pin }));
    const middle = new Error(JSON.stringify({ password: S.password }), { cause: root });
    const top = new Error(`top: ${middle.message}`, { cause: middle });
    top.stack = `${top.stack}\nCaused by: ${middle.stack}\nCaused by: ${root.stack}`;
    logger.error('x', top);
    expectNoSecrets(out.text(), [S.password, S.pin]);
    const formatted = errorOf(out.entries()[0]);
    expect(formatted.cause?.cause?.message).toBe(JSON.stringify({ pin: MASK }));
  });

  test('AggregateError with enumerable inner errors: inner stacks and an aggregate stack quoting them', () => {
    const logger = maskingLogger({ keys: ['password'] });
    const inner = new Error(secretJson());
    const aggregate = new AggregateError([inner, new Error('fine')], 'batch failed');
    Object.defineProperty(aggregate, 'errors', { enumerable: true, value: aggregate.errors });
    aggregate.stack = `${aggregate.stack}\n  [errors[0]] ${inner.stack}`;
    logger.error('x', aggregate);
    const formatted = errorOf(out.entries()[0]);
    expect(formatted.errors?.[0].message).toBe(maskedJson);
    expect(formatted.errors?.[1].message).toBe('fine');
    expectNoSecrets(out.text(), [S.password]);
  });

  test('an error already serialized to a plain object (serialize-error style) is fixed too', () => {
    const logger = maskingLogger({ keys: ['password'] });
    const error = new Error(secretJson());
    logger.error('x', { error: { name: error.name, message: error.message, stack: error.stack } });
    const formatted = errorOf(out.entries()[0]);
    expect(formatted.message).toBe(maskedJson);
    expectNoSecrets(out.text(), [S.password]);
  });
});

describe('detectors', () => {
  test('a detector that only matches the message (anchored) masks the stack copy too', () => {
    const ticket = patternDetector({ name: 'ticket', pattern: /^TKT-\d{6}/ });
    const logger = maskingLogger({ detectors: [ticket] });
    logger.error('x', new Error('TKT-123456 was refused'));
    const formatted = errorOf(out.entries()[0]);
    expect(formatted.message).toBe(`${MASK} was refused`);
    expect((formatted.stack as string).startsWith(`Error: ${MASK} was refused\n`)).toBe(true);
    expect(out.text()).not.toContain('TKT-123456');
  });

  test('keys and detectors together: a JSON message with a secret key and an e-mail address', () => {
    const logger = maskingLogger({ keys: ['password'], detectors: ['email'] });
    logger.error('x', new Error(JSON.stringify({ email: S.email, password: S.password })));
    const formatted = errorOf(out.entries()[0]);
    const masked = JSON.stringify({ email: MASK, password: MASK });
    expect(formatted.message).toBe(masked);
    expect((formatted.stack as string).startsWith(`Error: ${masked}\n`)).toBe(true);
    expectNoSecrets(out.text(), [S.email, S.password]);
  });
});

describe('field expressions and rules', () => {
  test("fields: ['$.error.message']: the message is masked whole, so is its copy in the stack", () => {
    const logger = maskingLogger({ fields: ['$.error.message'] });
    logger.error('x', new Error(`opaque ${S.pin}`));
    const formatted = errorOf(out.entries()[0]);
    expect(formatted.message).toBe(MASK);
    expect((formatted.stack as string).startsWith(`Error: ${MASK}\n    at `)).toBe(true);
    expect(out.text()).not.toContain(S.pin);
  });

  test("fields: ['$..message'] masks every error's message in every stack, causes included", () => {
    const logger = maskingLogger({ fields: ['$..message'] });
    const cause = new Error(`inner ${S.pin}`);
    const outer = new Error(`outer ${S.apiKey}`, { cause });
    outer.stack = `${outer.stack}\nCaused by: ${cause.stack}`;
    logger.error('x', outer);
    const formatted = errorOf(out.entries()[0]);
    expect(formatted.cause?.stack).toMatch(/^Error: \*{5}\n/);
    expect(out.text()).not.toContain(S.pin);
    expect(out.text()).not.toContain(S.apiKey);
  });

  test('a cause masked whole by a field expression: the outer stack that quotes it is fixed', () => {
    const logger = maskingLogger({ fields: ['$.error.cause'] });
    const cause = new Error(`inner ${S.pin}`);
    const outer = new Error('outer', { cause });
    outer.stack = `${outer.stack}\nCaused by: ${cause.stack}`;
    logger.error('x', outer);
    const formatted = errorOf(out.entries()[0]);
    expect(formatted.cause).toBe(MASK);
    expect(formatted.message).toBe('outer');
    expect(out.text()).not.toContain(S.pin);
  });

  test('a regex rule on the message: the stack shows the rule result', () => {
    const logger = maskingLogger({
      maskingRules: { '$.error.message': { regexPattern: /\d{4}-pin/g, maskFormat: 'PIN' } },
    });
    logger.error('x', new Error(`bad ${S.pin} given`));
    const formatted = errorOf(out.entries()[0]);
    expect(formatted.message).toBe('bad 8472-pin-value given'.replace('8472-pin', 'PIN'));
    expect((formatted.stack as string).startsWith(`Error: ${formatted.message}\n`)).toBe(true);
    expect(out.text()).not.toContain('8472-pin');
  });

  test('a removed message (remove: true): the stack header is masked', () => {
    const logger = maskingLogger({ maskingRules: { '$.error.message': { remove: true } } });
    logger.error('x', new Error(`opaque ${S.pin}`));
    const formatted = errorOf(out.entries()[0]);
    expect(formatted).not.toHaveProperty('message');
    expect((formatted.stack as string).startsWith(`Error: ${MASK}\n`)).toBe(true);
    expect(out.text()).not.toContain(S.pin);
  });

  test('errors in an array where a rule removes one element and a field masks another', () => {
    const logger = maskingLogger({
      maskingRules: { '$.errors[0]': { remove: true } },
      fields: ['$.errors[2].message'],
    });
    const errors = [new Error('first'), new Error('second'), new Error(`third ${S.pin}`)];
    logger.error('x', { errors });
    const entry = out.entries()[0] as { errors: Formatted[] };
    expect(entry.errors).toHaveLength(2);
    expect(entry.errors[0].message).toBe('second');
    expect((entry.errors[0].stack as string).startsWith('Error: second\n')).toBe(true);
    expect(entry.errors[1].message).toBe(MASK);
    expect(out.text()).not.toContain(S.pin);
  });

  test('dev mode with fields: the array stack is fixed', () => {
    process.env.POWERTOOLS_DEV = 'true';
    const logger = maskingLogger({ fields: ['$.error.message'] });
    logger.error('x', new Error(`line one ${S.pin}\nline two ${S.apiKey}`));
    const text = out.text();
    expect(text).not.toContain(S.pin);
    expect(text).not.toContain(S.apiKey);
    const stack = errorOf(JSON.parse(text) as Record<string, unknown>).stack as string[];
    expect(stack[0]).toBe(`Error: ${MASK}`);
    expect(stack[1]).toMatch(/^\s+at /);
  });
});

describe('createMaskingLogger', () => {
  test('keys and fields: the stack of a logged error never repeats a masked message', () => {
    const lines: unknown[] = [];
    const log = createMaskingLogger({
      keys: ['password'],
      fields: ['$.failure.cause.message'],
      print: (m) => lines.push(m),
    });
    const cause = new Error(`inner ${S.pin}`);
    log({ error: new Error(secretJson()), failure: new Error('outer', { cause }) });
    const text = JSON.stringify(lines);
    expect(text).not.toContain(S.pin);
    expectNoSecrets(`${JSON.stringify(lines[0])}\n`, [S.password, S.pin]);
    const printed = lines[0] as { error: Formatted; failure: Formatted };
    expect(printed.error.stack).toMatch(/^Error: \{"user":"jane","password":"\*{5}"\}\n/);
    expect(printed.failure.cause?.stack).toMatch(/^Error: \*{5}\n/);
  });
});

describe('property: no secret of a masked message survives in any stack', () => {
  const secret = fc.stringMatching(/^[A-Za-z0-9]{12,24}$/).map((s) => `sec-${s}`);
  const shape = fc.record({
    depth: fc.integer({ min: 0, max: 3 }),
    at: fc.integer({ min: 0, max: 3 }),
    how: fc.constantFrom('keys', 'fields', 'detector'),
    quoteCause: fc.boolean(),
    pretty: fc.boolean(),
  });

  test('whatever the depth of the chain, the way it is masked and the stack layout', () => {
    fc.assert(
      fc.property(secret, shape, (value, { depth, at, how, quoteCause, pretty }) => {
        out.clear();
        const level = Math.min(at, depth);
        const messageAt = (i: number) =>
          i !== level
            ? `level ${i}`
            : how === 'keys'
              ? JSON.stringify({ password: value }, null, pretty ? 2 : undefined)
              : `failed ${value}`;
        let error: Error | undefined;
        for (let i = depth; i >= 0; i--) {
          const cause: Error | undefined = error;
          // Levels above the masked one quote the message below them (a JSON message stays whole JSON).
          const message =
            quoteCause && cause && i !== level ? `${messageAt(i)}: ${cause.message}` : messageAt(i);
          error = cause === undefined ? new Error(message) : new Error(message, { cause });
          if (quoteCause && cause) error.stack = `${error.stack}\nCaused by: ${cause.stack}`;
        }
        const path = `$.error${'.cause'.repeat(level)}.message`;
        const logger = maskingLogger(
          how === 'keys'
            ? { keys: ['password'] }
            : how === 'fields'
              ? { fields: [path] }
              : { detectors: [patternDetector({ name: 'sec', pattern: /sec-[A-Za-z0-9]+/ })] },
        );
        logger.error('x', error as Error);
        expect(out.text()).not.toContain(value);
      }),
      { numRuns: 150 },
    );
  });
});

describe('an error masked whole under a secret key name', () => {
  test("keys: ['cause']: the outer stack that quotes the cause loses its message too", () => {
    const logger = maskingLogger({ keys: ['cause'] });
    const cause = new Error(`inner ${S.pin}`, { cause: new Error(`root ${S.apiKey}`) });
    const outer = new Error('outer', { cause });
    outer.stack = `${outer.stack}\nCaused by: ${cause.stack}\nCaused by: ${(cause.cause as Error).stack}`;
    logger.error('x', outer);
    const formatted = errorOf(out.entries()[0]);
    expect(formatted.cause).toBe(MASK);
    expect(out.text()).not.toContain(S.pin);
    expect(out.text()).not.toContain(S.apiKey);
  });
});

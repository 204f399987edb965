/**
 * Shared test plumbing: one KMS double per test file, maskers on it, and the means to prove a secret left
 * nowhere (responses, thrown errors with their causes, and everything written to the console or stdout).
 */
import { inspect } from 'node:util';
import httpErrorHandler from '@middy/http-error-handler';
import { DataMasking } from '../../src/data-masking.js';
import type { EncryptionContext } from '../../src/index.js';
import { AWSEncryptionSDKProvider } from '../../src/providers/kms.js';
import { createKmsMock, type KmsMock } from '../../src/testing/index.js';

export interface KmsFixture {
  /** The KMS double of this test file. */
  readonly kms: KmsMock;
  /** A masker with a fresh provider (its own data-key cache, so KMS faults set now are seen). */
  masker(): DataMasking;
  /** Encrypts `value` whole under `context`: what a client would send in a decrypt field. */
  ciphertext(value: unknown, context: EncryptionContext): Promise<string>;
  /** Decrypts one ciphertext string under `context`. */
  plaintext(ciphertext: unknown, context: EncryptionContext): Promise<unknown>;
}

/** Installs a KMS double for the test file (created in `beforeAll`, reset before each test, restored after all). */
export function useKms(): KmsFixture {
  let kms: KmsMock | undefined;
  let helper: DataMasking | undefined;
  beforeAll(() => {
    kms = createKmsMock();
  });
  afterAll(() => kms?.restore());
  beforeEach(() => kms?.reset());
  const current = (): KmsMock => {
    if (kms === undefined) throw new Error('the KMS double is only available inside tests');
    return kms;
  };
  const fresh = () => new DataMasking({ provider: new AWSEncryptionSDKProvider({ keys: current().keys }) });
  return {
    get kms() {
      return current();
    },
    masker: fresh,
    async ciphertext(value, context) {
      helper ??= fresh();
      return (await helper.encrypt(value, { context })) as string;
    },
    async plaintext(ciphertext, context) {
      // A provider of its own, so the data keys cached while the middleware encrypted are not reused.
      return fresh().decrypt(ciphertext, { context });
    },
  };
}

/** Everything a value shows: inspection (with causes), JSON, and for errors message and stack down the cause chain. */
export function dump(...values: unknown[]): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number) => {
    if (depth > 10 || seen.has(value)) return;
    seen.add(value);
    parts.push(
      inspect(value, {
        depth: 20,
        showHidden: true,
        maxArrayLength: Infinity,
        maxStringLength: Infinity,
        breakLength: Infinity,
      }),
    );
    try {
      parts.push(JSON.stringify(value) ?? '');
    } catch {
      // circular: inspect covered it
    }
    if (value instanceof Error) {
      parts.push(String(value), value.message, value.stack ?? '');
      visit(value.cause, depth + 1);
      visit((value as { originalError?: unknown }).originalError, depth + 1);
      if (value instanceof AggregateError) for (const inner of value.errors) visit(inner, depth + 1);
    }
  };
  for (const value of values) visit(value, 0);
  return parts.join('\n');
}

/** The forms a secret may take: as written, and without separators (a card written `4111111111111111`). */
function formsOf(secret: string): string[] {
  const compact = secret.replace(/[\s-]/g, '');
  return compact === secret ? [secret] : [secret, compact];
}

/** Asserts that no form of any secret appears in any of the values. */
export function expectAbsent(secrets: string | readonly string[], ...values: unknown[]): void {
  const text = dump(...values);
  for (const secret of typeof secrets === 'string' ? [secrets] : secrets) {
    for (const form of formsOf(secret)) {
      if (text.includes(form)) {
        throw new Error(`the secret ${JSON.stringify(form)} leaked into:\n${text.slice(0, 4000)}`);
      }
    }
  }
}

export interface Captured {
  /** Everything written since the capture started. */
  text(): string;
  /** The calls, one string per call. */
  lines(): string[];
  restore(): void;
}

/**
 * Captures (and silences) the console and the process's stdout and stderr: the Powertools Logger writes to
 * `process.stdout` through its own `Console`, Middy's error handler and the default `logFailure` to
 * `console.error`.
 */
export function captureOutput(): Captured {
  const calls: string[] = [];
  const record = (...args: unknown[]) => {
    calls.push(args.map((a) => (typeof a === 'string' ? a : dump(a))).join(' '));
  };
  const spies = [
    jest.spyOn(console, 'log').mockImplementation(record),
    jest.spyOn(console, 'info').mockImplementation(record),
    jest.spyOn(console, 'warn').mockImplementation(record),
    jest.spyOn(console, 'error').mockImplementation(record),
    jest.spyOn(console, 'debug').mockImplementation(record),
    jest.spyOn(console, 'trace').mockImplementation(record),
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      record(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return true;
    }),
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => {
      record(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return true;
    }),
  ];
  return {
    text: () => calls.join('\n'),
    lines: () => [...calls],
    restore: () => {
      for (const spy of spies) spy.mockRestore();
    },
  };
}

/** Runs `fn` with the output captured; returns its result (or error) and what was written. */
export async function withCapturedOutput<T>(
  fn: () => Promise<T>,
): Promise<{ result?: T; error?: unknown; threw: boolean; output: string }> {
  const captured = captureOutput();
  try {
    const result = await fn();
    return { result, threw: false, output: captured.text() };
  } catch (error) {
    return { error, threw: true, output: captured.text() };
  } finally {
    captured.restore();
  }
}

/** A `logFailure` that records its messages. */
export function failureLog(): { logFailure: (message: string) => void; messages: string[] } {
  const messages: string[] = [];
  return { logFailure: (message) => messages.push(message), messages };
}

/** Base64 of the UTF-8 JSON of a value. */
export const base64Json = (value: unknown): string =>
  Buffer.from(JSON.stringify(value), 'utf8').toString('base64');

/** The value a base64 JSON string holds. */
export const fromBase64Json = (text: unknown): unknown => {
  expect(typeof text).toBe('string');
  return JSON.parse(Buffer.from(text as string, 'base64').toString('utf8'));
};

/**
 * @middy/http-error-handler with its default logger, `console.error`, looked up when it logs: the default
 * captures `console.error` when the module loads, before a test can capture the console.
 */
export const loggingErrorHandler = () => httpErrorHandler({ logger: (error) => console.error(error) });

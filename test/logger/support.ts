/**
 * Shared plumbing of the log-masking matrix: the secrets every test hunts for, a real Powertools Logger
 * printing through `MaskingLogFormatter`, a capture of what it writes to `process.stdout` and
 * `process.stderr`, and the check that no secret left in any form (as written, without separators, JSON
 * escaped once or twice, or inside a JSON or base64 string nested in the line, such as an API Gateway
 * body).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions } from '@aws-lambda-powertools/logger/types';
import type { DetectorName } from '../../src/detectors/index.js';
import { MaskingLogFormatter, type MaskingLogFormatterOptions } from '../../src/logger.js';

/** The mask every masked value gets. */
export const MASK = '*****';

/** The message of the entry printed when masking an entry failed. */
export const WITHHELD = 'log entry withheld: masking it failed';

/** All seven built-in detectors, by name. */
export const ALL_DETECTORS: readonly DetectorName[] = [
  'email',
  'creditCard',
  'usSsn',
  'awsAccessKeyId',
  'awsSecretAccessKey',
  'jwt',
  'bearerToken',
];

/** A realistic X-Ray trace header, and the trace id the Logger derives from it. */
export const TRACE_HEADER = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
export const TRACE_ID = '1-5759e988-bd862e3fe1be46a994272793';

/** Values each built-in detector finds, and values only a key name or a field expression can find. */
export const S = {
  email: 'jane.doe@example.com',
  email2: 'bob.smith+billing@mail.example.org',
  card: '4111 1111 1111 1111',
  amex: '378282246310005',
  ssn: '123-45-6789',
  // Not the AWS documentation examples: the detectors leave those alone.
  accessKeyId: 'AKIAZQ3DRSV5KC7TPY4H',
  secretAccessKey: 'q7Rk2vN9xWb4LmT8pZc3YhJ6sGd1FaE5uKo0Xi/P',
  jwt: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkphbmUifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
  bearer: 'mF_9.B5f-4.1JqMopaqueAccessToken',
  // Quotes and a backslash: JSON escapes them, so a raw search alone would miss a leak.
  password: 'hunter2-"quoted"\\slash-Pw',
  apiKey: 'sk_live_51HxQzKJmW9aV3tT0pQ',
  pin: '8472-pin-value',
} as const;

/** Sentences that hold every detectable secret, as a message or a free-text field would. */
export const DETECTABLE_TEXT =
  `contact ${S.email} or ${S.email2}, card ${S.card}, amex ${S.amex}, ssn ${S.ssn}, ` +
  `key ${S.accessKeyId} aws_secret_access_key=${S.secretAccessKey} token ${S.jwt} ` +
  `Authorization: Bearer ${S.bearer}`;

/** The detectable secrets of {@link DETECTABLE_TEXT}. */
export const DETECTABLE: readonly string[] = [
  S.email,
  S.email2,
  S.card,
  S.amex,
  S.ssn,
  S.accessKeyId,
  S.secretAccessKey,
  S.jwt,
  S.bearer,
];

/** Every secret of {@link S}. */
export const ALL_SECRETS: readonly string[] = Object.values(S);

/** Environment the Logger reads, set for each test file and restored after it. */
const LOGGER_ENV = [
  'POWERTOOLS_DEV',
  'POWERTOOLS_LOG_LEVEL',
  'LOG_LEVEL',
  'AWS_LAMBDA_LOG_LEVEL',
  'POWERTOOLS_LOGGER_LOG_EVENT',
  'POWERTOOLS_LOGGER_SAMPLE_RATE',
  'POWERTOOLS_SERVICE_NAME',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  '_X_AMZN_TRACE_ID',
  'TZ',
] as const;

/**
 * Pins the environment the Logger reads: `POWERTOOLS_DEV` off (compact JSON lines through the Logger's
 * own Console, stack traces as strings), no level, sampling or trace id from outside. Restores it after
 * the file. `_X_AMZN_TRACE_ID` is cleared before each test: set it in the tests that need it.
 */
export function useLoggerEnv(): void {
  const saved: Record<string, string | undefined> = {};
  beforeAll(() => {
    for (const key of LOGGER_ENV) saved[key] = process.env[key];
  });
  beforeEach(() => {
    for (const key of LOGGER_ENV) delete process.env[key];
    process.env.POWERTOOLS_DEV = 'false';
  });
  afterAll(() => {
    for (const key of LOGGER_ENV) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });
}

/** One write to stdout or stderr. */
export interface Write {
  stream: 'stdout' | 'stderr';
  text: string;
}

/** What the process wrote while captured. */
export interface Output {
  /** Every write, in order. */
  writes(): Write[];
  /** Everything written to both streams. */
  text(): string;
  /** The non-empty lines written, in order. */
  lines(): string[];
  /** The lines parsed as JSON entries (fails the test on a line that is not JSON). */
  entries(): Record<string, unknown>[];
  /** The entries whose `message` is `message`. */
  withMessage(message: string): Record<string, unknown>[];
  /** The single entry whose `message` is `message`. */
  entry(message: string): Record<string, unknown>;
  /** Forgets what was captured so far. */
  clear(): void;
}

/**
 * Captures (and silences) `process.stdout.write` and `process.stderr.write` during each test: the
 * Powertools Logger writes its JSON lines there through its own `Console` (errors and warnings to
 * stderr). `console.*` is captured too, for the default `print` of `createMaskingLogger`.
 */
export function useOutput(): Output {
  const writes: Write[] = [];
  const spies: jest.SpyInstance[] = [];
  const record = (stream: Write['stream']) => (chunk: unknown) => {
    writes.push({
      stream,
      text: typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'),
    });
    return true;
  };
  beforeEach(() => {
    writes.length = 0;
    spies.push(
      jest.spyOn(process.stdout, 'write').mockImplementation(record('stdout')),
      jest.spyOn(process.stderr, 'write').mockImplementation(record('stderr')),
      jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
        record('stdout')(`${args.map(String).join(' ')}\n`);
      }),
      jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
        record('stderr')(`${args.map(String).join(' ')}\n`);
      }),
      jest.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
        record('stderr')(`${args.map(String).join(' ')}\n`);
      }),
    );
  });
  afterEach(() => {
    for (const spy of spies.splice(0)) spy.mockRestore();
  });
  const lines = () =>
    writes
      .map((w) => w.text)
      .join('')
      .split('\n')
      .filter((line) => line.trim() !== '');
  const entries = () =>
    lines().map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`a line written is not JSON: ${line.slice(0, 500)}`);
      }
    });
  const withMessage = (message: string) => entries().filter((e) => e.message === message);
  return {
    writes: () => [...writes],
    text: () => writes.map((w) => w.text).join(''),
    lines,
    entries,
    withMessage,
    entry(message) {
      const found = withMessage(message);
      if (found.length !== 1) {
        throw new Error(`expected one entry with message ${JSON.stringify(message)}, got ${found.length}:
${lines().join('\n').slice(0, 3000)}`);
      }
      return found[0];
    },
    clear: () => {
      writes.length = 0;
    },
  };
}

/** Every string a JSON value holds (keys and values), JSON strings inside it decoded and searched too. */
function decodedStrings(value: unknown, out: string[], depth = 0): void {
  if (depth > 200) return;
  if (typeof value === 'string') {
    out.push(value);
    // A base64 body (`isBase64Encoded: true`) hides a secret from a plain search: decode it too.
    if (value.length >= 8 && value.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(value)) {
      decodedStrings(Buffer.from(value, 'base64').toString('utf8'), out, depth + 1);
    }
    const trimmed = value.trim();
    if (trimmed.startsWith('{') || trimmed.startsWith('[') || trimmed.startsWith('"')) {
      try {
        decodedStrings(JSON.parse(trimmed), out, depth + 1);
      } catch {
        // not JSON: searched as it is
      }
    }
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) decodedStrings(item, out, depth + 1);
    return;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      decodedStrings(v, out, depth + 1);
    }
  }
}

/** The forms a secret can take in a log line. */
export function formsOf(secret: string): string[] {
  const forms = new Set<string>([secret]);
  const compact = secret.replace(/[\s-]/g, '');
  // A card or an SSN without its separators (`4111111111111111`).
  if (/^\d{9,}$/.test(compact)) forms.add(compact);
  const once = JSON.stringify(secret).slice(1, -1);
  forms.add(once);
  forms.add(JSON.stringify(once).slice(1, -1));
  return [...forms];
}

/**
 * Asserts that no form of any secret is in `text`: not raw, not JSON-escaped (once or twice), not in a
 * decoded string of any JSON line (a stack, a cause, a body that is itself JSON or base64), and for
 * numbers not with other separators (`4111-1111-1111-1111`).
 */
export function expectNoSecrets(text: string, secrets: readonly string[]): void {
  const strings: string[] = [text];
  for (const line of text.split('\n')) {
    try {
      decodedStrings(JSON.parse(line), strings);
    } catch {
      // not a JSON line: searched raw above
    }
  }
  const haystacks = [...strings, ...strings.map((s) => s.replace(/(\d)[\s-]+(?=\d)/g, '$1'))];
  for (const secret of secrets) {
    for (const form of formsOf(secret)) {
      const hit = haystacks.find((h) => h.includes(form));
      if (hit !== undefined) {
        const at = hit.indexOf(form);
        throw new Error(
          `the secret ${JSON.stringify(secret)} leaked (as ${JSON.stringify(form)}) in:\n…${hit.slice(Math.max(0, at - 300), at + form.length + 300)}…`,
        );
      }
    }
  }
}

/** A real Powertools Logger printing through a `MaskingLogFormatter` with these options. */
export function maskingLogger(
  masking: MaskingLogFormatterOptions,
  options: Omit<ConstructorOptions, 'logFormatter' | 'logRecordOrder'> = {},
): Logger {
  return new Logger({
    serviceName: 'payments',
    ...options,
    logFormatter: new MaskingLogFormatter(masking),
  } as ConstructorOptions);
}

/** A value nested `levels` objects deep (`{ d: { d: … leaf } }`), the leaf object counted. */
export function nested(levels: number, leaf: Record<string, unknown>): Record<string, unknown> {
  let value: Record<string, unknown> = leaf;
  for (let i = 1; i < levels; i++) value = { d: value };
  return value;
}

/** An ISO-8601 timestamp in UTC, as the Powertools formatter writes it. */
export const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

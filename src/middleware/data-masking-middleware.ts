/**
 * `dataMasking()`: the Middy middleware. Decrypts event fields under the caller's context before the
 * handler, erases then encrypts response fields after it, and fails closed: a response that could not be
 * masked never leaves.
 *
 * @module
 */
import type { MiddlewareObj, Request } from '@middy/core';
import type { BindOptions } from '../crypto/binding.js';
import { validateContext } from '../crypto/context.js';
import type { EncryptionContext } from '../crypto/encryption-provider.js';
import { readsTenant, TENANT_CONTEXT, tenantContext } from '../crypto/tenant-context.js';
import { DataMasking, quietMasker } from '../data-masking.js';
import type { EraseOptions, Eraser } from '../erase/eraser.js';
import { Opener } from '../erase/opener.js';
import { DataMaskingError, DataMaskingUnsupportedTypeError } from '../errors.js';
import { loggerMasks } from '../logger/brand.js';
import { assertCryptoFieldsOptions, assertKnownOptions } from '../options.js';
import { asPolicy, type MaskingPolicy } from '../policy/masking-policy.js';
import { secretsDetector } from '../policy/secret-matcher.js';
import { type CompiledSelector, compileSelector } from '../selector/selector.js';
import { guardEarlyResponses } from './early-response.js';
import { maskThrownErrors, plaintextsOf } from './error-masking.js';
import {
  asHttpError,
  contextUnavailable,
  describeFailure,
  genericErrorResponse,
  isHttpEvent,
} from './http.js';
import { settleResponse } from './settle-response.js';

/**
 * An encryption context, or how to read it from the request (typically from authorizer claims). With
 * `dataMasking<TEvent>()`, `request.event` is typed.
 */
export type ContextOption<TEvent = unknown, TResult = unknown> =
  | EncryptionContext
  /** Lambda tenant isolation: exactly `{ tenant_id: context.tenantId }`; none → 403, the handler never runs. */
  | 'tenant'
  | ((request: Request<TEvent, TResult>) => EncryptionContext | Promise<EncryptionContext>);

/** Fields to encrypt or decrypt, and the context to bind them to. */
export interface CryptoFieldsOptions<TEvent = unknown, TResult = unknown> {
  /** Field expressions over the event (decrypt) or the response (encrypt); they reach into JSON strings. */
  fields: readonly string[];
  /**
   * The encryption context, a function of the request that returns it (sync or async), or `'tenant'`:
   * `{ tenant_id: context.tenantId }` from Lambda tenant isolation.
   */
  context?: ContextOption<TEvent, TResult>;
  /** Bind each ciphertext to its field (`path`) and record (`record`): SPEC §12. Off by default. */
  bind?: BindOptions;
}

/** Options of {@link dataMasking}. */
export interface DataMaskingMiddlewareOptions<TEvent = unknown, TResult = unknown> {
  /**
   * The masker; it needs a provider when `decrypt` or `encrypt` is set. Optional when only `erase` is:
   * a `new DataMasking()` is used.
   */
  masker?: DataMasking;
  /** Event fields to decrypt before the handler runs. */
  decrypt?: CryptoFieldsOptions<TEvent, TResult>;
  /**
   * What to erase in responses: a masking policy (`definePolicy`) or its options (fields,
   * maskingRules, a rule, keys, allow, secrets, detectors). Secrets and detectors also mask thrown errors.
   */
  erase?: EraseOptions | MaskingPolicy;
  /** Response fields to encrypt, after erasing. */
  encrypt?: CryptoFieldsOptions<TEvent, TResult>;
  /**
   * The function's logger, declared next to response masking. A Powertools Logger must mask (have a
   * `MaskingLogFormatter`), or `dataMasking()` refuses it at cold start; the middleware reports its own
   * failures through `logger.error`.
   */
  logger?: { error: (message: string) => void };
  /**
   * Where masking failures are reported (never with data). Default: `logger.error`, else one JSON line on
   * `console.error`.
   */
  logFailure?: (message: string) => void;
}

const defaults: Omit<DataMaskingMiddlewareOptions, 'masker'> = {
  logFailure: (message) => console.error(JSON.stringify({ level: 'ERROR', message })),
};

const OPTIONS = ['masker', 'decrypt', 'erase', 'encrypt', 'logger', 'logFailure'];

interface Compiled {
  readonly masker: DataMasking;
  readonly fields: readonly string[];
  readonly bind: BindOptions | undefined;
  readonly context: ContextOption | undefined;
  readonly selectors: readonly CompiledSelector[];
  readonly opener: Opener;
}

/**
 * The Middy middleware. Use it before every middleware that can return early or touches the body (only
 * `injectLambdaContext` goes before it, so `logEvent` logs the event as received): it then decrypts the raw
 * event before any parser, masks the final response after any serializer, and sees responses that other
 * middlewares return early.
 *
 * Every expression is compiled here, at cold start: a bad configuration throws
 * `DataMaskingInvalidSelectorError` now, not on a request.
 *
 * @example
 * ```ts
 * export const handler = middy(lambdaHandler)
 *   .use(dataMasking({
 *     masker: new DataMasking({ provider }),
 *     decrypt: { fields: ['$.body.card'], context: (request) => ({ tenant_id: tenantOf(request.event) }) },
 *     erase: { fields: ['$.body.email', '$..ssn'] },
 *   }))
 *   .use(httpJsonBodyParser())
 *   .use(httpErrorHandler());
 * ```
 */
export function dataMasking<TEvent = unknown, TResult = unknown>(
  opts: DataMaskingMiddlewareOptions<TEvent, TResult>,
): MiddlewareObj<TEvent, TResult> {
  return compileDataMasking(opts as DataMaskingMiddlewareOptions) as unknown as MiddlewareObj<
    TEvent,
    TResult
  >;
}

function compileDataMasking(opts: DataMaskingMiddlewareOptions): MiddlewareObj {
  if (opts === null || typeof opts !== 'object') {
    throw new DataMaskingUnsupportedTypeError(
      'dataMasking() needs options: { erase } or a masker with decrypt/encrypt',
    );
  }
  assertKnownOptions(opts, OPTIONS, 'the dataMasking() options');
  const options = { ...defaults, ...opts };
  const needsProvider = options.decrypt !== undefined || options.encrypt !== undefined;
  if (options.masker === undefined && !needsProvider) options.masker = new DataMasking();
  if (!(options.masker instanceof DataMasking)) {
    throw new DataMaskingUnsupportedTypeError("dataMasking() needs a 'masker': a DataMasking instance");
  }
  // Events and responses vary: a field missing from one of them is skipped, not an error.
  const masker = quietMasker(options.masker.withOptions({ throwOnMissingField: false }));
  const { logger } = options;
  if (logger !== undefined) {
    if (logger === null || typeof logger.error !== 'function') {
      throw new DataMaskingUnsupportedTypeError("'logger' must have an error(message) method");
    }
    if (loggerMasks(logger) === false) {
      throw new DataMaskingUnsupportedTypeError(
        "the logger does not mask its entries: give it `logFormatter: new MaskingLogFormatter(...)` from 'middy-data-masking/logger'",
      );
    }
  }
  const logFailure =
    opts.logFailure ??
    (logger === undefined
      ? (defaults.logFailure as (message: string) => void)
      : (message: string) => logger.error(message));

  if (needsProvider && !masker.hasProvider) {
    throw new DataMaskingUnsupportedTypeError("'decrypt' and 'encrypt' need a masker with a provider");
  }
  const decrypt =
    options.decrypt === undefined ? undefined : compileCrypto(masker, options.decrypt, 'decrypt');
  const encrypt =
    options.encrypt === undefined ? undefined : compileCrypto(masker, options.encrypt, 'encrypt');
  // Compiled now, at cold start; the options object is not read again (a snapshot, SPEC §4.6).
  // Options become a policy here, at cold start (a snapshot, SPEC §4.6): one place holds `secretsFrom`'s values.
  const policy = options.erase === undefined ? undefined : asPolicy(options.erase);
  const eraseOptions = policy?.options;
  const eraser: Eraser | undefined = policy === undefined ? undefined : masker.compileErase(policy);
  // For a bare result (sent as the body), the expressions that start at `body`, applied to `{ body }`.
  const bodyEraser = bodyOnlyEraser(masker, eraseOptions);
  const bodyEncrypt =
    encrypt === undefined || !encrypt.fields.some(startsAtBody)
      ? undefined
      : { ...encrypt, fields: encrypt.fields.filter(startsAtBody) };
  const masksResponses = eraser !== undefined || encrypt !== undefined;
  // A thrown error is free text: masked with the erase detectors, or every built-in one (SPEC §4.7).
  const maskError = maskThrownErrors([
    ...(eraseOptions?.secrets === undefined ? [] : [secretsDetector(eraseOptions.secrets)]),
    ...(eraseOptions?.detectors ?? []),
  ]);

  /**
   * Per request, the response this middleware produced: that exact value is never masked again (an early
   * response or an error response is a different value, and is masked).
   */
  const produced = new WeakMap<Request, unknown>();
  /** Per request, the plaintexts `decrypt` produced. */
  const decrypted = new WeakMap<Request, readonly string[]>();
  const isProduced = (request: Request, value: unknown) =>
    produced.has(request) && produced.get(request) === value;

  const maskResponse = async (request: Request, response: unknown): Promise<unknown> => {
    try {
      // Promises awaited, streams read, getters read once: masking sees what would be sent.
      const settled = await settleResponse(response, isHttpEvent(request.event));
      let out = settled.response;
      if (eraser !== undefined) out = eraser(out);
      if (encrypt !== undefined) out = await applyCrypto(encrypt, 'encrypt', request, out);
      if (settled.bare === true && (bodyEraser !== undefined || bodyEncrypt !== undefined)) {
        // Each expression applies once: those at `body` to the result as a body, the others as a document.
        let wrapped: unknown = { statusCode: 200, body: out };
        if (bodyEraser !== undefined) wrapped = bodyEraser(wrapped);
        if (bodyEncrypt !== undefined) wrapped = await applyCrypto(bodyEncrypt, 'encrypt', request, wrapped);
        out = (wrapped as { body: unknown }).body;
      }
      out = settled.restore(out);
      produced.set(request, out);
      return out;
    } catch (error) {
      // Fail closed: this response never leaves. Report the failure, never the data.
      logFailure(`dataMasking: masking the response failed; it was withheld (${describeFailure(error)})`);
      if (isHttpEvent(request.event)) {
        // A throttled or unreachable KMS is 503 with Retry-After (the client may retry); anything else 500.
        const replacement = genericErrorResponse(error);
        produced.set(request, replacement);
        return replacement;
      }
      throw asHttpError(error);
    }
  };

  const needsTenant = readsTenant([{ decrypt, encrypt }]);

  const dataMaskingMiddlewareBefore = async (request: Request): Promise<void> => {
    // Before any other onError sees a thrown error, its message, stack and cause are masked: with what
    // was decrypted, and the secrets of this request.
    maskError.guard(request, () => [
      ...(decrypted.get(request) ?? []),
      ...(policy?.requestSecretValues ?? []),
    ]);
    if (needsTenant) {
      try {
        tenantContext(request.context);
      } catch (error) {
        // No tenant, no handler: nothing is decrypted for it, and nothing it returns is encrypted.
        logFailure(`dataMasking: ${describeFailure(error)}`);
        throw asHttpError(error);
      }
    }
    if (policy !== undefined) {
      try {
        // Token keys are unwrapped once, before the handler: a KMS that cannot unwrap them fails the
        // request here (503 when it may be retried), never a response that would go out untokenized.
        await policy.ready();
      } catch (error) {
        logFailure(`dataMasking: the token keys could not be unwrapped (${describeFailure(error)})`);
        throw asHttpError(error);
      }
      try {
        await policy.loadRequestSecrets(request);
      } catch (error) {
        // No secrets, no masking: the request fails closed, without quoting what secretsFrom gave.
        logFailure(`dataMasking: secretsFrom failed (${describeFailure(error)})`);
        throw asHttpError(
          error instanceof DataMaskingError
            ? error
            : new DataMaskingUnsupportedTypeError('secretsFrom could not give the secrets of this request'),
        );
      }
    }
    if (masksResponses) {
      guardEarlyResponses(
        request,
        (response) => maskResponse(request, response),
        (response) => isProduced(request, response),
      );
    }
    if (decrypt === undefined) return;
    try {
      request.event = (await applyCrypto(decrypt, 'decrypt', request, request.event)) as typeof request.event;
      // What was decrypted is masked wherever a thrown error quotes it (the handler's own messages).
      decrypted.set(request, plaintextsOf(selectedValues(decrypt, request.event)));
    } catch (error) {
      logFailure(`dataMasking: decrypting the event failed (${describeFailure(error)})`);
      throw asHttpError(error);
    }
  };

  const dataMaskingMiddlewareAfter = async (request: Request): Promise<void> => {
    if (!masksResponses) return;
    request.response = await maskResponse(request, request.response);
  };

  const dataMaskingMiddlewareOnError = async (request: Request): Promise<void> => {
    if (!masksResponses || request.response === undefined || isProduced(request, request.response)) return;
    request.response = await maskResponse(request, request.response);
  };

  return {
    before: dataMaskingMiddlewareBefore,
    after: dataMaskingMiddlewareAfter,
    onError: dataMaskingMiddlewareOnError,
  };
}

function compileCrypto(masker: DataMasking, options: CryptoFieldsOptions, what: string): Compiled {
  assertCryptoFieldsOptions(options, what, `the dataMasking() '${what}' options`, 'request');
  const { context } = options;
  // Compiled now: a bad expression fails at cold start, not on a request.
  const selectors = options.fields.map((field) => compileSelector(field));
  const bind = options.bind === undefined ? undefined : { ...options.bind };
  return { masker, fields: [...options.fields], bind, context, selectors, opener: new Opener(selectors) };
}

/** Whether an expression starts with the member `body` (`$.body.email`, `body.email`). */
function startsAtBody(expression: string): boolean {
  const first = compileSelector(expression).query.segments[0];
  if (first === undefined || first.descendant || first.selectors.length !== 1) return false;
  const selector = first.selectors[0];
  return (selector.kind === 'name' || selector.kind === 'nameOrIndex') && selector.name === 'body';
}

/** The erase options restricted to the expressions that start at `body` (no detectors: they ran already). */
function bodyOnlyEraser(masker: DataMasking, erase: EraseOptions | undefined): Eraser | undefined {
  if (erase === undefined) return undefined;
  const {
    fields,
    maskingRules,
    detectors: _detectors,
    keys: _keys,
    caseSensitiveKeys: _case,
    allow: _allow,
    secrets: _secrets,
    ...rule
  } = erase;
  const bodyFields = (fields ?? []).filter(startsAtBody);
  const bodyRules = Object.entries(maskingRules ?? {}).filter(([expression]) => startsAtBody(expression));
  if (bodyFields.length === 0 && bodyRules.length === 0) return undefined;
  return masker.compileErase({
    ...rule,
    fields: bodyFields,
    maskingRules: Object.fromEntries(bodyRules),
  } as EraseOptions);
}

/** The values the expressions select in `data` (JSON strings opened); none when it cannot be opened. */
function selectedValues(compiled: Compiled, data: unknown): unknown[] {
  const values: unknown[] = [];
  try {
    const { working } = compiled.opener.open(data);
    for (const selector of compiled.selectors) selector.forEach(working, (loc) => values.push(loc.value));
  } catch {
    // Decrypt has just opened the same data; nothing to add if it cannot be opened again.
  }
  return values;
}

/**
 * Whether the expressions provably select no value in `data`. What cannot be opened is not "nothing":
 * encrypt then runs, and withholds it.
 */
function selectsNothing(compiled: Compiled, data: unknown): boolean {
  let working: unknown;
  try {
    working = compiled.opener.open(data).working;
  } catch {
    return false;
  }
  let found = false;
  for (const selector of compiled.selectors) {
    selector.forEach(working, (loc) => {
      if (loc.value !== undefined) found = true;
    });
  }
  return !found;
}

/** The caller's context; a function that cannot build it (no tenant claim, say) means 403. */
async function contextOf(compiled: Compiled, request: Request): Promise<EncryptionContext | undefined> {
  if (compiled.context === TENANT_CONTEXT) return tenantContext(request.context);
  if (typeof compiled.context !== 'function') return compiled.context;
  let context: unknown;
  try {
    context = await compiled.context(request);
    validateContext(context);
  } catch (error) {
    throw contextUnavailable(error);
  }
  return context as EncryptionContext;
}

async function applyCrypto(
  compiled: Compiled,
  what: 'encrypt' | 'decrypt',
  request: Request,
  data: unknown,
): Promise<unknown> {
  let context: EncryptionContext | undefined;
  try {
    context = await contextOf(compiled, request);
  } catch (error) {
    // Nothing selected, nothing to bind to a context: an error response (a 403 for a request without its
    // tenant, say) has none of the fields, and must not fail for want of the context it was refused for.
    // Looked at only then, so a response that has its context is opened once, by encrypt.
    if (what === 'encrypt' && selectsNothing(compiled, data)) return data;
    throw error;
  }
  const options = { fields: compiled.fields, context, bind: compiled.bind };
  return what === 'encrypt' ? compiled.masker.encrypt(data, options) : compiled.masker.decrypt(data, options);
}

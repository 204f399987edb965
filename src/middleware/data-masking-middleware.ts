/**
 * `dataMasking()`: the Middy middleware. Decrypts event fields under the caller's context before the
 * handler, erases then encrypts response fields after it, and fails closed: a response that could not be
 * masked never leaves.
 *
 * @module
 */
import type { MiddlewareObj, Request } from '@middy/core';
import type { EncryptionContext } from '../crypto/encryption-provider.js';
import { DataMasking } from '../data-masking.js';
import type { EraseOptions, Eraser } from '../erase/eraser.js';
import { JsonStringOpener } from '../erase/json-strings.js';
import { DataMaskingUnsupportedTypeError } from '../errors.js';
import { loggerMasks } from '../logger/brand.js';
import { compileSelector } from '../selector/selector.js';
import { guardEarlyResponses } from './early-response.js';
import { asHttpError, describeFailure, genericErrorResponse, isHttpEvent } from './http.js';

/** An encryption context, or how to read it from the request (typically from authorizer claims). */
export type ContextOption =
  | EncryptionContext
  | ((request: Request) => EncryptionContext | Promise<EncryptionContext>);

/** Fields to encrypt or decrypt, and the context to bind them to. */
export interface CryptoFieldsOptions {
  /** Field expressions over the event (decrypt) or the response (encrypt); they reach into JSON strings. */
  fields: readonly string[];
  /** The encryption context, or a function of the request that returns it (sync or async). */
  context?: ContextOption;
}

/** Options of {@link dataMasking}. */
export interface DataMaskingMiddlewareOptions {
  /** The masker; it needs a provider when `decrypt` or `encrypt` is set. */
  masker: DataMasking;
  /** Event fields to decrypt before the handler runs. */
  decrypt?: CryptoFieldsOptions;
  /** Response fields to erase (the `erase` options: fields, maskingRules, a rule, detectors). */
  erase?: EraseOptions;
  /** Response fields to encrypt, after erasing. */
  encrypt?: CryptoFieldsOptions;
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

interface Compiled {
  readonly masker: DataMasking;
  readonly fields: readonly string[];
  readonly context: ContextOption | undefined;
  readonly opener: JsonStringOpener;
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
export function dataMasking(opts: DataMaskingMiddlewareOptions): MiddlewareObj {
  const options = { ...defaults, ...opts };
  if (!(options.masker instanceof DataMasking)) {
    throw new DataMaskingUnsupportedTypeError("dataMasking() needs a 'masker': a DataMasking instance");
  }
  // Events and responses vary: a field missing from one of them is skipped, not an error.
  const masker = options.masker.withOptions({ throwOnMissingField: false });
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

  if ((options.decrypt !== undefined || options.encrypt !== undefined) && !masker.hasProvider) {
    throw new DataMaskingUnsupportedTypeError("'decrypt' and 'encrypt' need a masker with a provider");
  }
  const decrypt =
    options.decrypt === undefined ? undefined : compileCrypto(masker, options.decrypt, 'decrypt');
  const encrypt =
    options.encrypt === undefined ? undefined : compileCrypto(masker, options.encrypt, 'encrypt');
  let eraser: Eraser | undefined;
  let eraseOpener: JsonStringOpener | undefined;
  if (options.erase !== undefined) {
    eraser = masker.compileErase(options.erase);
    const expressions = [...(options.erase.fields ?? []), ...Object.keys(options.erase.maskingRules ?? {})];
    // Detectors look at every string: open every JSON string (a base64 JSON body hides its text otherwise).
    const everywhere = (options.erase.detectors?.length ?? 0) > 0;
    eraseOpener = new JsonStringOpener(
      expressions.map((e) => compileSelector(e)),
      everywhere,
    );
  }
  const masksResponses = eraser !== undefined || encrypt !== undefined;

  /**
   * Per request, the response this middleware produced: that exact value is never masked again (an early
   * response or an error response is a different value, and is masked).
   */
  const produced = new WeakMap<Request, unknown>();
  const isProduced = (request: Request, value: unknown) =>
    produced.has(request) && produced.get(request) === value;

  const maskResponse = async (request: Request, response: unknown): Promise<unknown> => {
    try {
      let out = response;
      if (eraser !== undefined && eraseOpener !== undefined) {
        const opened = eraseOpener.open(out);
        out = eraseOpener.close(eraser(opened.working), opened.opened);
      }
      if (encrypt !== undefined) out = await applyCrypto(encrypt, 'encrypt', request, out);
      produced.set(request, out);
      return out;
    } catch (error) {
      // Fail closed: this response never leaves. Report the failure, never the data.
      logFailure(`dataMasking: masking the response failed; it was withheld (${describeFailure(error)})`);
      if (isHttpEvent(request.event)) {
        const replacement = genericErrorResponse();
        produced.set(request, replacement);
        return replacement;
      }
      throw asHttpError(error);
    }
  };

  const dataMaskingMiddlewareBefore = async (request: Request): Promise<void> => {
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
  if (!Array.isArray(options.fields) || options.fields.length === 0) {
    throw new DataMaskingUnsupportedTypeError(
      `'${what}.fields' must be a non-empty array of field expressions`,
    );
  }
  const { context } = options;
  if (
    context !== undefined &&
    (context === null || (typeof context !== 'object' && typeof context !== 'function'))
  ) {
    throw new DataMaskingUnsupportedTypeError(
      `'${what}.context' must be an object or a function of the request`,
    );
  }
  const selectors = options.fields.map((f) => compileSelector(f));
  return { masker, fields: options.fields, context, opener: new JsonStringOpener(selectors) };
}

async function applyCrypto(
  compiled: Compiled,
  what: 'encrypt' | 'decrypt',
  request: Request,
  data: unknown,
): Promise<unknown> {
  const context = typeof compiled.context === 'function' ? await compiled.context(request) : compiled.context;
  const opened = compiled.opener.open(data);
  const options = { fields: compiled.fields, context };
  const result =
    what === 'encrypt'
      ? await compiled.masker.encrypt(opened.working, options)
      : await compiled.masker.decrypt(opened.working, options);
  return compiled.opener.close(result, opened.opened);
}

/**
 * One masking policy for every surface (SPEC §11): what is sensitive is declared once and compiled once,
 * and `erase`, the middleware, the log formatter, the input-output logger and the batch middleware take
 * it (or the same options object) with one meaning. Each surface only adapts its input — a response, a
 * log entry, a record — to the policy.
 *
 * What a policy does, in this order:
 *
 * 1. `fields` and `maskingRules` (with the top-level rule) replace what their expressions select; rules
 *    see the original values (`hmac` of an e-mail, `keep: { last: 4 }` of a card).
 * 2. `allow`, when given, masks every leaf it does not allow.
 * 3. `keys` mask the values of matching members whole, at any depth.
 * 4. `secrets` and `detectors` mask what they find in every string still readable, and in key names.
 *
 * @module
 */

import type { Detector } from '../detectors/detector.js';
import { resolveDetectors } from '../detectors/index.js';
import { compileEraser, type EraseOptions, type Eraser } from '../erase/eraser.js';
import { ruleTokenKeys } from '../erase/rule.js';
import { DataMaskingUnsupportedTypeError } from '../errors.js';
import { type CompiledSelector, compileSelector } from '../selector/selector.js';
import type { TokenCodec } from '../tokens/token-codec.js';
import { KeyMatcher } from './key-matcher.js';
import { secretsDetector } from './secret-matcher.js';

/** The options of a masking policy: the options of `erase` (fields, rules, keys, allow, secrets, detectors). */
export type PolicyOptions = EraseOptions;

export { POLICY_OPTION_KEYS } from './option-keys.js';

/** What the log surface needs apart: it walks entries its own way (errors, Maps, stacks). */
interface LogParts {
  readonly keys: KeyMatcher;
  /** Secrets first, then detectors. */
  readonly detectors: readonly Detector[];
  /** The current request's secrets (`secretsFrom`), when the policy has it. */
  readonly requestSecrets: (() => Detector | undefined) | undefined;
  /** Fields, rules and the allow-list, without keys, detectors or secrets; `undefined` when none. */
  readonly paths: Eraser | undefined;
  /**
   * Whether a rule's result depends on the value it replaces (`hmac`, `keep`, `regexPattern`…): then
   * detectors must run after the rules, not before. A mask that ignores the value (the default,
   * `customMask`, `remove`) gives the same either way.
   */
  readonly rulesSeeValues: boolean;
}

/** Rule options whose result does not depend on the value replaced. */
const VALUE_BLIND = new Set(['customMask', 'remove']);

function seesValue(rule: unknown): boolean {
  if (rule === undefined) return false;
  if (rule === null || typeof rule !== 'object') return true; // a function
  const r = rule as Record<string, unknown>;
  return Object.keys(r).some((k) => r[k] !== undefined && !VALUE_BLIND.has(k));
}

/**
 * A compiled masking policy. Build it with {@link definePolicy}; every surface accepts it where it
 * accepts erase options.
 */
export class MaskingPolicy {
  /** The options, as given (copied, frozen). */
  public readonly options: Readonly<PolicyOptions>;
  readonly #erase: Eraser;
  /** The current request's secrets (`secretsFrom`), as given and as a detector. */
  #requestSecretValues: readonly string[] = [];
  #requestSecrets: Detector | undefined;
  readonly #selectors = new Map<string, CompiledSelector>();
  #log: LogParts | undefined;
  readonly #tokenKeys: readonly TokenCodec[];

  /** @throws {DataMaskingUnsupportedTypeError} or `DataMaskingInvalidSelectorError` for bad options. */
  public constructor(options: PolicyOptions) {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw new DataMaskingUnsupportedTypeError('a masking policy takes an options object');
    }
    this.options = Object.freeze({ ...options });
    // Responses, log entries and records vary: an expression that selects nothing is skipped.
    this.#erase = compileEraser(this.options, {
      throwOnMissingField: false,
      compile: (e) => this.#compile(e),
      requestSecrets: this.requestSecrets,
    });
    const { maskingRules, ...rule } = this.options;
    this.#tokenKeys = [
      ...new Set([...ruleTokenKeys(rule), ...Object.values(maskingRules ?? {}).flatMap(ruleTokenKeys)]),
    ];
  }

  /**
   * Whether every token key of the policy's rules is unwrapped, so that synchronous masking can tokenize
   * (`true` without `tokenize` rules).
   */
  public get isReady(): boolean {
    return this.#tokenKeys.every((key) => key.isReady);
  }

  /**
   * Unwraps the token keys of the policy's rules (one KMS call each, at cold start); resolves at once when
   * they are ready. The middleware and the batch surfaces call it themselves; a log formatter, which is
   * synchronous, cannot: await it at cold start, or an entry with a field to tokenize is withheld until
   * then.
   */
  public async ready(): Promise<this> {
    if (!this.isReady) await Promise.all(this.#tokenKeys.map((key) => key.ready()));
    return this;
  }

  /**
   * @internal Reads the current secrets for the eraser: set when the policy has `secretsFrom`, else
   * `undefined` (then erasers do not look).
   */
  public get requestSecrets(): (() => Detector | undefined) | undefined {
    return this.options.secretsFrom === undefined ? undefined : () => this.#requestSecrets;
  }

  /** @internal The current request's secrets as given (masked in thrown errors too). */
  public get requestSecretValues(): readonly string[] {
    return this.#requestSecretValues;
  }

  /**
   * @internal Calls `secretsFrom` for a request (the middleware does, in `before`); the values replace
   * the previous request's. The automaton is rebuilt only when they changed.
   *
   * @throws {DataMaskingUnsupportedTypeError} when it does not give an array of strings of at least 4
   * characters (the message never quotes one); whatever `secretsFrom` itself throws.
   */
  public async loadRequestSecrets(request: unknown): Promise<void> {
    const from = this.options.secretsFrom as
      | ((request: unknown) => readonly string[] | Promise<readonly string[]>)
      | undefined;
    if (from === undefined) return;
    const values = await from(request);
    const previous = this.#requestSecretValues;
    const same =
      Array.isArray(values) && values.length === previous.length && values.every((v, i) => v === previous[i]);
    if (same) return;
    const detector = secretsDetector(values, 'the values secretsFrom gave');
    this.#requestSecretValues = [...values];
    this.#requestSecrets = values.length === 0 ? undefined : detector;
  }

  /** `data` masked by the whole policy; the input is never mutated. */
  public erase<T>(data: T): T {
    return this.#erase(data);
  }

  /** @internal The parts the log surface applies in its own walk. */
  public get logParts(): LogParts {
    if (this.#log === undefined) {
      const {
        keys,
        caseSensitiveKeys,
        detectors,
        secrets,
        secretsFrom: _from,
        fields,
        maskingRules,
        allow,
        ...rule
      } = this.options;
      const hasPaths =
        (fields?.length ?? 0) > 0 || Object.keys(maskingRules ?? {}).length > 0 || allow !== undefined;
      this.#log = {
        rulesSeeValues: seesValue(rule) || Object.values(maskingRules ?? {}).some(seesValue),
        keys: new KeyMatcher(keys, caseSensitiveKeys === true),
        detectors: [
          ...(secrets === undefined ? [] : [secretsDetector(secrets)]),
          ...(detectors === undefined ? [] : resolveDetectors(detectors)),
        ],
        requestSecrets: this.requestSecrets,
        paths: hasPaths
          ? compileEraser(
              { ...rule, fields: fields ?? [], maskingRules, allow, caseSensitiveKeys },
              { throwOnMissingField: false, compile: (e) => this.#compile(e) },
            )
          : undefined,
      };
    }
    return this.#log;
  }

  #compile(expression: string): CompiledSelector {
    let selector = this.#selectors.get(expression);
    if (selector === undefined) {
      selector = compileSelector(expression);
      this.#selectors.set(expression, selector);
    }
    return selector;
  }
}

/**
 * Compiles a masking policy once. Pass it wherever erase options are taken: `masker.erase(data, policy)`,
 * `dataMasking({ erase: policy })`, `new MaskingLogFormatter(policy)`, `createMaskingLogger(policy)`,
 * `batchMasking({ erase: policy })`.
 *
 * @example
 * ```ts
 * const policy = definePolicy({
 *   keys: ['password', 'authorization', 'x-api-key'],
 *   fields: ['$..card'],
 *   keep: { last: 4 },
 *   detectors: ['email'],
 * });
 * ```
 * @throws {DataMaskingUnsupportedTypeError} or `DataMaskingInvalidSelectorError` for bad options.
 */
export function definePolicy(options: PolicyOptions): MaskingPolicy {
  return new MaskingPolicy(options);
}

/** A policy as it is, options compiled into one (a snapshot of them, SPEC §4.6). */
export function asPolicy(given: MaskingPolicy | PolicyOptions): MaskingPolicy {
  return given instanceof MaskingPolicy ? given : new MaskingPolicy({ ...given });
}

/**
 * Readies policies for a request: their token keys unwrapped, and the request's `secretsFrom` values
 * loaded into each policy that has it.
 */
export async function preparePolicies(policies: readonly MaskingPolicy[], request: unknown): Promise<void> {
  await Promise.all(
    policies.map(async (policy) => {
      await policy.ready();
      await policy.loadRequestSecrets(request);
    }),
  );
}

/** The options of a policy, or the options themselves. */
export function policyOptions<T extends PolicyOptions | undefined>(
  given: MaskingPolicy | T,
): PolicyOptions | T {
  return given instanceof MaskingPolicy ? given.options : given;
}

/**
 * Compiles erase options — fields, rules, detectors — into one function, once. The middleware and the
 * log formatter hold such a function for the life of the Lambda container; `DataMasking.erase` caches
 * the expressions it compiles.
 *
 * @module
 */
import { type Detector, type DetectorName, redactString, resolveDetectors } from '../detectors/index.js';
import { DataMaskingFieldNotFoundError, DataMaskingUnsupportedTypeError } from '../errors.js';
import { normalizedPath } from '../selector/normalized-path.js';
import type { CompiledSelector } from '../selector/selector.js';
import { isContainer } from '../selector/values.js';
import { DEFAULT_MASK } from './constants.js';
import { CowWriter } from './cow-writer.js';
import { mapLeaves } from './map-leaves.js';
import { type CompiledRule, compileRule, DEFAULT_RULE, type FieldRule, type MaskingRule } from './rule.js';
import { buildStaticPlan, TOO_DEEP } from './static-plan.js';

/**
 * Options of `erase`: the Powertools TypeScript shape (a top-level rule, `fields`, `maskingRules`) plus
 * `detectors`.
 */
export type EraseOptions = MaskingRule & {
  /** Field expressions to erase with the top-level rule (or the default mask). */
  fields?: readonly string[];
  /** Per-expression rules; they win over the top-level rule for the nodes they select. */
  maskingRules?: Readonly<Record<string, FieldRule>>;
  /** Detectors run over every string value, masking only what they find. */
  detectors?: readonly (DetectorName | Detector)[];
};

/** How a compiled eraser treats expressions that select nothing. */
export interface EraserSettings {
  /** Throw {@link DataMaskingFieldNotFoundError} when an expression selects nothing (else skip it). */
  throwOnMissingField: boolean;
  /** Compiles (or fetches from a cache) one expression. */
  compile: (expression: string) => CompiledSelector;
  /** @internal Tests turn the static fast path off to check it against the general evaluator. */
  fastPath?: boolean;
}

interface Target {
  readonly selector: CompiledSelector;
  readonly rule: CompiledRule;
}

/** An erase configuration compiled once; call it for each payload. */
export type Eraser = (data: unknown) => unknown;

/**
 * Compiles erase options into an {@link Eraser}. Invalid expressions and malformed rules throw here,
 * not when data arrives.
 */
export function compileEraser(options: EraseOptions | undefined, settings: EraserSettings): Eraser {
  const { fields, maskingRules, detectors, ...topLevel } = (options ?? {}) as EraseOptions &
    Record<string, unknown>;
  if (fields !== undefined && !Array.isArray(fields)) {
    throw new DataMaskingUnsupportedTypeError("'fields' must be an array of field expressions");
  }
  // Every other key must be a rule option: a typo such as `dynamicmask` fails here instead of masking less.
  const given = Object.keys(topLevel).some((k) => topLevel[k] !== undefined);
  const topRule = given ? compileRule(topLevel as MaskingRule, 'the top-level rule') : undefined;
  const found = detectors === undefined ? [] : resolveDetectors(detectors);

  const targets: Target[] = [];
  // Rules claim their nodes first, so they win over the top-level rule (as in Powertools).
  for (const [expression, rule] of Object.entries(maskingRules ?? {})) {
    targets.push({
      selector: settings.compile(expression),
      rule: compileRule(rule, JSON.stringify(expression)),
    });
  }
  for (const expression of fields ?? []) {
    targets.push({ selector: settings.compile(expression), rule: topRule ?? DEFAULT_RULE });
  }

  if (targets.length === 0 && found.length === 0) {
    // No field and no detector: the whole payload.
    if (topRule === undefined) return eraseWhole;
    return (data) => (data === null || data === undefined ? data : topRule.apply(data, () => '$'));
  }

  const redact =
    found.length === 0
      ? undefined
      : (leaf: unknown) => (typeof leaf === 'string' ? redactString(leaf, found, DEFAULT_MASK) : leaf);
  const { throwOnMissingField } = settings;

  const general = (data: unknown): unknown => {
    const writer = new CowWriter(data);
    for (const { selector, rule } of targets) {
      let selected = false;
      selector.forEach(data, (loc) => {
        selected = true;
        writer.replace(
          loc,
          rule.apply(loc.value, () => normalizedPath(loc.keys())),
        );
      });
      if (!selected && throwOnMissingField) throw new DataMaskingFieldNotFoundError(selector.expression);
    }
    return writer.finish();
  };
  const plan =
    settings.fastPath === false
      ? undefined
      : buildStaticPlan(targets.map((t) => ({ segments: t.selector.query.segments, rule: t.rule })));
  const fast =
    plan === undefined
      ? undefined
      : (data: unknown): unknown => {
          const hits = new Array<number>(targets.length).fill(0);
          let result: unknown;
          try {
            result = plan(data, hits);
          } catch (error) {
            if (error === TOO_DEEP) return general(data);
            throw error;
          }
          if (throwOnMissingField) {
            const missing = hits.indexOf(0);
            if (missing >= 0) throw new DataMaskingFieldNotFoundError(targets[missing].selector.expression);
          }
          return result;
        };
  const select = targets.length === 0 ? undefined : (fast ?? general);

  const run = (data: unknown): unknown => {
    const result = select === undefined ? data : select(data);
    return redact === undefined ? result : mapLeaves(result, redact);
  };

  return (data) => {
    if (typeof data !== 'string') return run(data);
    // String in, string out: a JSON string is parsed, masked and serialized again.
    const parsed = parseJson(data);
    if (parsed === NOT_JSON || !isContainer(parsed)) return run(data);
    const masked = run(parsed);
    try {
      return JSON.stringify(masked);
    } catch (cause) {
      throw new DataMaskingUnsupportedTypeError('the masked value cannot be serialized back to JSON', {
        cause,
      });
    }
  };
}

/** SPEC §4.1 without fields or rule: an array becomes masks of the same length, anything else one mask. */
function eraseWhole(data: unknown): unknown {
  if (data === null || data === undefined) return data;
  return Array.isArray(data) ? data.map(() => DEFAULT_MASK) : DEFAULT_MASK;
}

const NOT_JSON: unique symbol = Symbol('not JSON');

function parseJson(text: string): unknown {
  const first = text.trimStart().charAt(0);
  if (first !== '{' && first !== '[') return NOT_JSON;
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

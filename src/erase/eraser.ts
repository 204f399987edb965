/**
 * Compiles erase options — fields, rules, detectors — into one function, once. The middleware and the
 * log formatter hold such a function for the life of the Lambda container; `DataMasking.erase` caches
 * the expressions it compiles.
 *
 * @module
 */
import { type Detector, type DetectorName, redactString, resolveDetectors } from '../detectors/index.js';
import { DataMaskingFieldNotFoundError, DataMaskingUnsupportedTypeError } from '../errors.js';
import { KeyMatcher } from '../policy/key-matcher.js';
import { secretsDetector } from '../policy/secret-matcher.js';
import { normalizedPath } from '../selector/normalized-path.js';
import type { CompiledSelector } from '../selector/selector.js';
import { DEFAULT_MASK } from './constants.js';
import { CowWriter } from './cow-writer.js';
import { mapLeaves } from './map-leaves.js';
import { Opener } from './opener.js';
import { redactLeaf } from './redact-leaf.js';
import { type CompiledRule, compileRule, DEFAULT_RULE, type FieldRule, type MaskingRule } from './rule.js';
import {
  buildPlanTree,
  buildStaticPlan,
  mayOpenBelow,
  mustOpen,
  NEEDS_OPEN,
  type PlanNode,
  TOO_DEEP,
} from './static-plan.js';
import { type AllowNode, allowTrie, type WholeWalk, wholeWalk } from './whole-walk.js';

/**
 * Options of `erase`, and of every masking surface (a masking policy, SPEC §11): the Powertools
 * TypeScript shape (a top-level rule, `fields`, `maskingRules`) plus `detectors`, `keys`, `allow` and
 * `secrets`.
 */
export type EraseOptions = MaskingRule & {
  /** Field expressions to erase with the top-level rule (or the default mask). */
  fields?: readonly string[];
  /** Per-expression rules; they win over the top-level rule for the nodes they select. */
  maskingRules?: Readonly<Record<string, FieldRule>>;
  /** Detectors run over every string value, masking only what they find. */
  detectors?: readonly (DetectorName | Detector)[];
  /**
   * Key names (or RegExps) whose values are masked whole (objects and arrays too) at any depth, inside
   * JSON strings too. Names match whatever their case and separators (`x-api-key` is `X_API_KEY` is
   * `xApiKey`) unless `caseSensitiveKeys`; a RegExp is tested against the key as written.
   */
  keys?: readonly (string | RegExp)[];
  /** Match `keys` names exactly as written. Default `false`. */
  caseSensitiveKeys?: boolean;
  /**
   * Allow-list mode: every leaf is masked unless one of these expressions selects it (or a node above
   * it), or it sits under one of these keys (matched as `keys` are). Keys and the shape of containers
   * stay readable; detectors and secrets still scan what is allowed, and `keys` still mask it.
   */
  allow?: { fields?: readonly string[]; keys?: readonly (string | RegExp)[] };
  /**
   * Literal secret values (at least 4 characters: an API key, a password loaded from SSM) masked
   * wherever they appear, as a whole string or inside one, and in key names.
   */
  secrets?: readonly string[];
  /**
   * Secrets known only at run time (what Middy's `ssm` or `secrets-manager` middleware put in the
   * context, Powertools Parameters): called by the middleware and the batch middleware at the start of
   * each request with the Middy request; what it returns is masked like `secrets` (in responses, thrown
   * errors and, through a shared policy, log lines) until the next request replaces it.
   */
  secretsFrom?: (request: never) => readonly string[] | Promise<readonly string[]>;
};

/** How a compiled eraser treats expressions that select nothing. */
export interface EraserSettings {
  /** Throw {@link DataMaskingFieldNotFoundError} when an expression selects nothing (else skip it). */
  throwOnMissingField: boolean;
  /** Told about each expression that selected nothing in one call, when it is skipped (not thrown). */
  onMissing?: (expression: string) => void;
  /** Compiles (or fetches from a cache) one expression. */
  compile: (expression: string) => CompiledSelector;
  /** @internal Tests turn the static fast path off to check it against the general evaluator. */
  fastPath?: boolean;
  /** @internal The secrets of the current request (a policy's `secretsFrom`), read on each call. */
  requestSecrets?: () => Detector | undefined;
}

interface Target {
  readonly selector: CompiledSelector;
  readonly rule: CompiledRule;
}

/**
 * An erase configuration compiled once; call it for each payload. It returns what it was given, masked,
 * so the result has the input's type (a JSON string stays a string).
 */
export type Eraser = <T>(data: T) => T;

/** The untyped function an eraser is built from. */
type EraseFn = (data: unknown) => unknown;

/**
 * Compiles erase options into an {@link Eraser}. Invalid expressions and malformed rules throw here,
 * not when data arrives.
 */
export function compileEraser(options: EraseOptions | undefined, settings: EraserSettings): Eraser {
  const {
    fields,
    maskingRules,
    detectors,
    keys,
    caseSensitiveKeys,
    allow,
    secrets,
    secretsFrom,
    ...topLevel
  } = (options ?? {}) as EraseOptions & Record<string, unknown>;
  if (secretsFrom !== undefined && typeof secretsFrom !== 'function') {
    throw new DataMaskingUnsupportedTypeError("'secretsFrom' must be a function of the request");
  }
  const { requestSecrets } = settings;
  if (fields !== undefined && !Array.isArray(fields)) {
    throw new DataMaskingUnsupportedTypeError("'fields' must be an array of field expressions");
  }
  if (caseSensitiveKeys !== undefined && typeof caseSensitiveKeys !== 'boolean') {
    throw new DataMaskingUnsupportedTypeError("'caseSensitiveKeys' must be a boolean");
  }
  const keyMatcher = new KeyMatcher(keys, caseSensitiveKeys === true);
  const allowed = compileAllow(allow, caseSensitiveKeys === true, settings.compile);
  // Every other key must be a rule option: a typo such as `dynamicmask` fails here instead of masking less.
  const given = Object.keys(topLevel).some((k) => topLevel[k] !== undefined);
  const topRule = given ? compileRule(topLevel as MaskingRule, 'the top-level rule') : undefined;
  // Secrets first: a detector must not mask part of a secret and leave the rest of it readable.
  const found = [
    ...(secrets === undefined ? [] : [secretsDetector(secrets)]),
    ...(detectors === undefined ? [] : resolveDetectors(detectors)),
  ];
  /** Keys, allow-list or detectors: the whole payload is walked, JSON strings opened everywhere. */
  const whole =
    found.length > 0 || !keyMatcher.empty || allowed !== undefined || requestSecrets !== undefined;
  /** Secrets of the request first, then the configured ones and detectors. */
  const redactText = (text: string): string => {
    const current = requestSecrets?.();
    const out = current === undefined ? text : current.redact(text, DEFAULT_MASK);
    return found.length === 0 ? out : redactString(out, found, DEFAULT_MASK);
  };

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

  if (targets.length === 0 && !whole) {
    // No field and no detector: the whole payload.
    if (topRule === undefined) return typed(eraseWhole);
    return typed((data) => (data === null || data === undefined ? data : topRule.apply(data, () => '$')));
  }

  const scansText = found.length > 0 || requestSecrets !== undefined;
  const redact = scansText ? (leaf: unknown) => redactLeaf(leaf, redactText) : undefined;
  const redactKey = scansText ? redactText : undefined;
  const { throwOnMissingField, onMissing } = settings;
  /** An expression selected nothing: thrown or told, unless it only met empty lists (not missing). */
  const reportMissing = (selector: CompiledSelector, data: unknown): void => {
    if (!throwOnMissingField && onMissing === undefined) return;
    if (!selector.missingIn(data)) return;
    if (throwOnMissingField) throw new DataMaskingFieldNotFoundError(selector.expression);
    onMissing?.(selector.expression);
  };
  // Throws NEEDS_OPEN (caught below) when an expression must look into a string, bytes or an instance.
  const watch = {
    inside: (value: unknown) => {
      if (mustOpen(value)) throw NEEDS_OPEN;
    },
    below: (value: unknown, key: string | number, parent: object) => {
      if (typeof value === 'string' ? mayOpenBelow(value, key, parent) : mustOpen(value)) throw NEEDS_OPEN;
    },
  };

  const general = (data: unknown, watching: boolean): unknown => {
    const writer = new CowWriter(data);
    for (const { selector, rule } of targets) {
      let selected = false;
      selector.forEach(
        data,
        (loc) => {
          selected = true;
          writer.replace(
            loc,
            rule.apply(loc.value, () => normalizedPath(loc.keys())),
          );
        },
        watching ? watch : undefined,
      );
      if (!selected) reportMissing(selector, data);
    }
    return writer.finish();
  };
  const planTargets = targets.map((t) => ({ segments: t.selector.query.segments, rule: t.rule }));
  const tree = settings.fastPath === false ? undefined : buildPlanTree(planTargets);
  const plan = tree === undefined ? undefined : buildStaticPlan(planTargets, tree);
  const fast =
    plan === undefined
      ? undefined
      : (data: unknown, watching: boolean): unknown => {
          const hits = new Array<number>(targets.length).fill(0);
          let result: unknown;
          try {
            result = plan(data, hits);
          } catch (error) {
            if (error === TOO_DEEP) return general(data, watching);
            // Opened data may still hold text below `..`: a leaf, which the plan would stop at again.
            if (error === NEEDS_OPEN && !watching) return general(data, false);
            throw error;
          }
          for (let i = 0; i < hits.length; i++) if (hits[i] === 0) reportMissing(targets[i].selector, data);
          return result;
        };
  const select = targets.length === 0 ? undefined : (fast ?? general);
  const opener = new Opener([...targets.map((t) => t.selector), ...(allowed?.selectors ?? [])], {
    everywhere: whole,
  });
  const walk: WholeWalk = {
    redact: scansText ? redactText : undefined,
    secretKey: keyMatcher.empty ? undefined : (key) => keyMatcher.matches(key),
    allowKey: allowed === undefined || allowed.keys.empty ? undefined : (key) => allowed.keys.matches(key),
  };
  const plainDetectors = keyMatcher.empty && allowed === undefined;

  /** Opens what the expressions must look into (or refuses), masks the working copy, closes it again. */
  const openAndMask = (data: unknown): unknown => {
    const opened = opener.open(data);
    let result = select === undefined ? opened.working : select(opened.working, false);
    if (plainDetectors) {
      if (redact !== undefined) result = mapLeaves(result, redact, redactKey);
    } else {
      // Allowed locations are found after the fields are masked: a removed element must not shift an
      // allowance onto its neighbour.
      result = wholeWalk(result, walk, allowed === undefined ? undefined : allowedIn(allowed, result));
    }
    return opener.close(result, opened);
  };

  // Detectors, keys and the allow-list look at everything: open everything first.
  if (whole) return typed(openAndMask);
  const selectFirst = select as (data: unknown, watching: boolean) => unknown;
  const eraser = typed((data) => {
    try {
      // Plain JSON data (the common case) is masked in one pass, without opening anything.
      return selectFirst(data, true);
    } catch (error) {
      if (error !== NEEDS_OPEN) throw error;
    }
    return openAndMask(data);
  });
  if (tree !== undefined && !whole) {
    planSources.set(eraser, {
      tree,
      rules: targets.map((t) => t.rule),
      reports: throwOnMissingField || onMissing !== undefined,
    });
  }
  return eraser;
}

/**
 * What an eraser's form over JSON text is built from: its trie of paths, the rules of its targets, and
 * whether an expression that selects nothing is reported. Kept here, built in `text-eraser.ts` (only the
 * batch entry needs it: a handler that only erases does not carry the text walk in its bundle).
 *
 * @internal
 */
export interface TextPlanSource {
  readonly tree: PlanNode;
  readonly rules: readonly CompiledRule[];
  readonly reports: boolean;
}

const planSources = new WeakMap<Eraser, TextPlanSource>();

/** @internal The {@link TextPlanSource} of an eraser whose configuration has a static plan. */
export function textPlanSourceOf(eraser: Eraser): TextPlanSource | undefined {
  return planSources.get(eraser);
}

/** An eraser gives back what it is given, masked: the input's type (the compiled functions are untyped). */
const typed = (fn: EraseFn): Eraser => fn as Eraser;

/** SPEC §4.1 without fields or rule: an array becomes masks of the same length, anything else one mask. */
function eraseWhole(data: unknown): unknown {
  if (data === null || data === undefined) return data;
  return Array.isArray(data) ? data.map(() => DEFAULT_MASK) : DEFAULT_MASK;
}

/** The compiled `allow` option: its expressions and keys. */
interface CompiledAllow {
  readonly selectors: readonly CompiledSelector[];
  readonly keys: KeyMatcher;
}

function compileAllow(
  allow: EraseOptions['allow'],
  exactKeys: boolean,
  compile: (expression: string) => CompiledSelector,
): CompiledAllow | undefined {
  if (allow === undefined) return undefined;
  if (allow === null || typeof allow !== 'object' || Array.isArray(allow)) {
    throw new DataMaskingUnsupportedTypeError("'allow' must be { fields?, keys? }");
  }
  const { fields, keys, ...other } = allow as Record<string, unknown>;
  if (Object.keys(other).length > 0) {
    throw new DataMaskingUnsupportedTypeError(
      `unknown 'allow' option ${JSON.stringify(Object.keys(other)[0])}`,
    );
  }
  if (fields !== undefined && !Array.isArray(fields)) {
    throw new DataMaskingUnsupportedTypeError("'allow.fields' must be an array of field expressions");
  }
  return {
    selectors: ((fields ?? []) as string[]).map(compile),
    keys: new KeyMatcher(keys as readonly (string | RegExp)[] | undefined, exactKeys, 'allow.keys'),
  };
}

/** The allow trie of `data`: every location an `allow` expression selects in it. */
function allowedIn(allow: CompiledAllow, data: unknown): AllowNode {
  const locations: (string | number)[][] = [];
  for (const selector of allow.selectors) selector.forEach(data, (loc) => locations.push(loc.keys()));
  return allowTrie(locations);
}

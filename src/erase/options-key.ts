/**
 * A content key for erase options, so `erase(data, options)` can cache what it compiles without keying by
 * the options object's identity: pushing a field into `options.fields` after a call changes the key, and
 * a fresh but identical inline options object finds the eraser compiled for the previous one.
 *
 * The key is a prefix-free string encoding (every variable-length string is length-prefixed, every list
 * is count-prefixed), so no field, expression or mask can be crafted to look like another configuration.
 * Objects that cannot be compared by content (functions, detector objects, hmac keys given as bytes or
 * KeyObjects) are encoded by an identity id; an hmac key given as a string is encoded by its SHA-256
 * digest salted with a per-process random prefix, never in clear. Computing it is linear in the size of the options.
 *
 * @module
 */
import { hash, randomBytes } from 'node:crypto';
import { POLICY_OPTION_KEYS } from '../policy/option-keys.js';
import type { EraseOptions } from './eraser.js';
import { RULE_KEYS } from './rule.js';

/** Identity ids of objects the key cannot compare by content. Ids are never reused. */
const ids = new WeakMap<object, number>();
let lastId = 0;

function idOf(value: object): string {
  let id = ids.get(value);
  if (id === undefined) {
    id = ++lastId;
    ids.set(value, id);
  }
  return `i${id};`;
}

/**
 * Salt of the digests of string hmac keys (a fixed-length prefix): a cache key never holds a hash of a
 * secret that could be checked against guesses outside this process.
 */
const SALT = randomBytes(32).toString('hex');

/** The keys an options object may have: anything else is not keyed (the compiler reports it). */
const OPTION_KEYS: ReadonlySet<string> = new Set(POLICY_OPTION_KEYS.filter((k) => k !== 'secretsFrom'));

/** Thrown inside the encoder when a value cannot be keyed safely; never escapes this module. */
const UNKEYABLE: unique symbol = Symbol('unkeyable');

const str = (s: string): string => `${s.length}:${s}`;

function isPlain(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isPlainArray(value: unknown): value is readonly unknown[] {
  return Array.isArray(value) && Object.getPrototypeOf(value) === Array.prototype;
}

function optString(value: unknown): string {
  if (value === undefined) return 'u';
  if (typeof value === 'string') return `s${str(value)}`;
  throw UNKEYABLE;
}

function optBoolean(value: unknown): string {
  if (value === undefined) return 'u';
  if (value === true) return 't';
  if (value === false) return 'f';
  throw UNKEYABLE;
}

function optRegExp(value: unknown): string {
  if (value === undefined) return 'u';
  // The compiler copies a RegExp from its source and flags: they are all of it that matters.
  if (value instanceof RegExp && Object.getPrototypeOf(value) === RegExp.prototype) {
    return `r${str(value.source)}${str(value.flags)}`;
  }
  throw UNKEYABLE;
}

function optHmac(value: unknown): string {
  if (value === undefined) return 'u';
  if (!isPlain(value)) throw UNKEYABLE;
  const key = value.key;
  if (typeof key === 'string') {
    // The same UTF-8 bytes the HMAC is keyed with; a SHA-256 digest has a fixed length.
    return `h${hash('sha256', SALT + key, 'base64url')}`;
  }
  // Bytes and KeyObjects by identity: a secret is never copied into a key, even as a digest of bytes.
  if (key !== null && typeof key === 'object') return idOf(key);
  throw UNKEYABLE;
}

/** A token key, by identity: two keys with the same version may hold different keys. */
function optIdentity(value: unknown): string {
  if (value === undefined) return 'u';
  if (value !== null && typeof value === 'object') return idOf(value);
  throw UNKEYABLE;
}

/** The rule slots, in a fixed order, read as the compiler reads them (by name). */
function ruleSlots(r: Record<string, unknown>): string {
  return (
    optRegExp(r.regexPattern) +
    optString(r.maskFormat) +
    optBoolean(r.dynamicMask) +
    optString(r.customMask) +
    optString(r.hash) +
    optHmac(r.hmac) +
    optBoolean(r.remove) +
    optKeep(r.keep) +
    optString(r.digits) +
    optIdentity(r.tokenize) +
    optRegExp(r.when)
  );
}

function optCount(value: unknown): string {
  if (value === undefined) return 'u';
  if (typeof value === 'number') return `n${str(String(value))}`;
  throw UNKEYABLE;
}

function optKeep(value: unknown): string {
  if (value === undefined) return 'u';
  if (!isPlain(value)) throw UNKEYABLE;
  for (const k of Object.keys(value)) if (k !== 'first' && k !== 'last') throw UNKEYABLE;
  return `k${optCount(value.first)}${optCount(value.last)}`;
}

/** Key names and RegExps, in order. */
function keysKey(list: unknown): string {
  if (list === undefined) return 'u';
  if (!isPlainArray(list)) throw UNKEYABLE;
  let out = `K${list.length}:`;
  for (const k of list) out += typeof k === 'string' ? `s${str(k)}` : optRegExp(k);
  return out;
}

function allowKey(allow: unknown): string {
  if (allow === undefined) return 'u';
  if (!isPlain(allow)) throw UNKEYABLE;
  for (const k of Object.keys(allow)) if (k !== 'fields' && k !== 'keys') throw UNKEYABLE;
  return `A${fieldsKey(allow.fields)}${keysKey(allow.keys)}`;
}

/** Secrets by salted digest, as string hmac keys: never in clear in a key a cache keeps. */
function secretsKey(list: unknown): string {
  if (list === undefined) return 'u';
  if (!isPlainArray(list)) throw UNKEYABLE;
  let out = `S${list.length}:`;
  for (const secret of list) {
    if (typeof secret !== 'string') throw UNKEYABLE;
    out += hash('sha256', SALT + secret, 'base64url');
  }
  return out;
}

function fieldRule(rule: unknown): string {
  if (typeof rule === 'function') return `f${idOf(rule)}`;
  if (!isPlain(rule)) throw UNKEYABLE;
  for (const k of Object.keys(rule)) if (!RULE_KEYS.has(k)) throw UNKEYABLE;
  return `o${ruleSlots(rule)}`;
}

function fieldsKey(fields: unknown): string {
  if (fields === undefined) return 'u';
  if (!isPlainArray(fields)) throw UNKEYABLE;
  let out = `F${fields.length}:`;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    if (typeof f !== 'string') throw UNKEYABLE;
    out += str(f);
  }
  return out;
}

function rulesKey(rules: unknown): string {
  if (rules === undefined) return 'u';
  if (!isPlain(rules)) throw UNKEYABLE;
  // Entry order is kept: rules claim their nodes in that order.
  const keys = Object.keys(rules);
  let out = `M${keys.length}:`;
  for (let i = 0; i < keys.length; i++) out += str(keys[i]) + fieldRule(rules[keys[i]]);
  return out;
}

function detectorsKey(list: unknown): string {
  if (list === undefined) return 'u';
  if (!isPlainArray(list)) throw UNKEYABLE;
  let out = `D${list.length}:`;
  for (let i = 0; i < list.length; i++) {
    const d = list[i];
    if (typeof d === 'string') out += `s${str(d)}`;
    else if (d !== null && typeof d === 'object') out += idOf(d);
    else throw UNKEYABLE;
  }
  return out;
}

/**
 * A key such that two erase options objects with the same key compile to erasers that behave the same:
 * same fields and expressions in the same order, same rules (RegExps by source and flags, masks by
 * value, function rules, detector objects and byte or KeyObject hmac keys by identity, string hmac keys
 * by a salted digest). Any difference gives a different key. Returns `undefined` when the options cannot
 * be keyed safely (not a plain object, an unknown key, a value of an unexpected type or class): compile
 * them without caching, and the compiler reports what is wrong.
 *
 * The key never contains an hmac key in clear: it may be kept in a cache for the life of the process.
 */
export function eraseOptionsKey(options: EraseOptions): string | undefined {
  if (!isPlain(options)) return undefined;
  for (const k of Object.keys(options)) if (!OPTION_KEYS.has(k)) return undefined;
  try {
    return (
      fieldsKey(options.fields) +
      rulesKey(options.maskingRules) +
      detectorsKey(options.detectors) +
      keysKey(options.keys) +
      optBoolean(options.caseSensitiveKeys) +
      allowKey(options.allow) +
      secretsKey(options.secrets) +
      ruleSlots(options)
    );
  } catch (error) {
    if (error === UNKEYABLE) return undefined;
    throw error;
  }
}

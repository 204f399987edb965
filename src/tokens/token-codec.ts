/**
 * What the rest of the library needs from a token key, without loading it: `erase`, the policy and
 * `detokenize` reach a `TokenKey` through this symbol-keyed face, so the main entry point never imports
 * the KMS client or the cipher. `Symbol.for`: a key made by another copy of the package (ESM beside
 * CommonJS, two installs) is still recognised.
 *
 * @module
 */

import type { ParsedToken } from './token-format.js';

/** The face of a token key, under {@link TOKEN_CODEC}. */
export interface TokenCodec {
  /** The key version its tokens carry (`tok_<version>_…`). */
  readonly version: string;
  /** Whether the key is unwrapped: `tokenize` and `detokenize` then work synchronously. */
  readonly isReady: boolean;
  /** Unwraps the key (one KMS call, shared by concurrent callers); resolves at once when ready. */
  ready(): Promise<unknown>;
  /** The token of a value's JSON text. @throws DataMaskingTokenKeyNotReadyError when not ready. */
  tokenize(value: unknown): string;
  /** The value of a well-formed token of this key's version (typed errors otherwise). */
  detokenize(token: string): unknown;
  /** The same, for a token already parsed (by whoever picked this key by its version). */
  open(parsed: ParsedToken): unknown;
}

/** The property a token key exposes its {@link TokenCodec} under. */
export const TOKEN_CODEC: unique symbol = Symbol.for('middy-data-masking.token-codec') as never;

/** A token key's codec, or `undefined` when `value` is not a token key. */
export function tokenCodecOf(value: unknown): TokenCodec | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const codec = (value as { [TOKEN_CODEC]?: unknown })[TOKEN_CODEC];
  return codec !== null && typeof codec === 'object' ? (codec as TokenCodec) : undefined;
}

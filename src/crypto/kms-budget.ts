/**
 * A bound on the KMS calls one `encrypt` or `decrypt` call of `DataMasking` may cause (SPEC §4.7). A
 * request carrying hundreds of ciphertexts, each under its own data key, would otherwise cost hundreds of
 * KMS round trips (and the bill, and the throttling quota shared with every other function). `DataMasking`
 * opens a budget around each call; a provider that supports it (`AWSEncryptionSDKProvider`) charges it
 * before every KMS call and refuses the call once its limit is reached.
 *
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** The KMS calls made so far in the current `DataMasking` call. */
export interface KmsBudget {
  calls: number;
  /** Set once a call was refused for being over the limit. */
  exceeded: boolean;
}

const scope = new AsyncLocalStorage<KmsBudget>();

/** Runs `fn` with a fresh budget: every KMS call made on its behalf is counted against it. */
export function withKmsBudget<T>(fn: () => Promise<T>): Promise<T> {
  return scope.run({ calls: 0, exceeded: false }, fn);
}

/** The budget of the `DataMasking` call in progress, if any. */
export function currentKmsBudget(): KmsBudget | undefined {
  return scope.getStore();
}

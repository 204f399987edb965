/**
 * Sees what KMS answered. The Encryption SDK folds the errors of a failed data-key decrypt into one generic
 * Error whose message concatenates stack traces; classifying that text would break with any SDK release.
 * Instead the KMS client the keyring uses is wrapped, and every KMS failure is recorded, with its
 * operation, in the scope of the provider call that caused it (AsyncLocalStorage follows the SDK's
 * promises, so concurrent calls never see each other's faults).
 *
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { DecryptCommand, EncryptCommand, GenerateDataKeyCommand } from '@aws-sdk/client-kms';
import { currentKmsBudget } from '../kms-budget.js';

/** The KMS operations the keyring calls. */
export type KmsOperation = 'GenerateDataKey' | 'Encrypt' | 'Decrypt';

/** A KMS call that failed. */
export interface KmsFault {
  readonly operation: KmsOperation;
  /** The service error name (`AccessDeniedException`, `ThrottlingException`…) or the client error's name. */
  readonly name: string;
  readonly error: unknown;
}

/** What one provider call went through, for classifying its failure. */
export interface CallRecord {
  readonly faults: KmsFault[];
  /** Set once the SDK has parsed the message header and asked for decryption materials. */
  materialsRequested: boolean;
  /** Set when the message names no key this provider is configured with. */
  noConfiguredKey: boolean;
  /** Set when a KMS call was refused because the request had used its budget of calls. */
  budgetExceeded?: boolean;
  /**
   * For a decrypt: the context the caller expects. The materials manager compares it with the context the
   * SDK parsed from the message header, before any KMS call (SPEC §4.7). `undefined` for an encrypt.
   */
  readonly expectedContext?: Readonly<Record<string, string>>;
}

const scope = new AsyncLocalStorage<CallRecord>();

/**
 * Runs `fn` in a fresh record and hands both back.
 *
 * @param expectedContext for a decrypt, the context the message must carry
 */
export async function recorded<T>(
  fn: () => Promise<T>,
  expectedContext?: Readonly<Record<string, string>>,
): Promise<{ record: CallRecord; result?: T; error?: unknown }> {
  const record: CallRecord = {
    faults: [],
    materialsRequested: false,
    noConfiguredKey: false,
    ...(expectedContext === undefined ? {} : { expectedContext }),
  };
  try {
    const result = await scope.run(record, fn);
    return { record, result };
  } catch (error) {
    return { record, error };
  }
}

/** The record of the provider call in progress, if any. */
export function currentRecord(): CallRecord | undefined {
  return scope.getStore();
}

type AnyClient = Record<string, (...args: unknown[]) => unknown>;

const COMMANDS: Record<KmsOperation, new (input: never) => unknown> = {
  GenerateDataKey: GenerateDataKeyCommand,
  Encrypt: EncryptCommand,
  Decrypt: DecryptCommand,
};

const METHODS: Record<string, KmsOperation> = {
  generateDataKey: 'GenerateDataKey',
  encrypt: 'Encrypt',
  decrypt: 'Decrypt',
};

/**
 * Wraps a KMS client (the aggregated `KMS` class, anything with its three methods, or the modular
 * `KMSClient` with `send`) so its failures are recorded. Returns an object with only the methods the keyring calls.
 */
export function recordingClient(client: unknown, maxCallsPerRequest = Number.POSITIVE_INFINITY): unknown {
  if (client === undefined || client === null || client === false) return client;
  const target = client as AnyClient;
  const wrapper: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const [method, operation] of Object.entries(METHODS)) {
    wrapper[method] = async (input: unknown) => {
      const budget = currentKmsBudget();
      if (budget !== undefined) {
        if (budget.calls >= maxCallsPerRequest) {
          budget.exceeded = true;
          const record = currentRecord();
          if (record !== undefined) record.budgetExceeded = true;
          throw new Error('KMS call budget of this request exhausted');
        }
        budget.calls++;
      }
      try {
        // The aggregated `KMS` class (and v2 clients) have one method per operation; the modular
        // `KMSClient` that v3 users construct has only `send(command)`.
        const response = (
          typeof target[method] === 'function'
            ? target[method].call(target, input)
            : target.send.call(target, new COMMANDS[operation](input as never))
        ) as { promise?: () => Promise<unknown> } | Promise<unknown>;
        // The SDK accepts v2 clients (`.promise()`) as well as v3 ones.
        return await (typeof (response as { promise?: unknown }).promise === 'function'
          ? (response as { promise: () => Promise<unknown> }).promise()
          : response);
      } catch (error) {
        currentRecord()?.faults.push({ operation, name: errorName(error), error });
        throw error;
      }
    };
  }
  return wrapper;
}

function errorName(error: unknown): string {
  if (error !== null && typeof error === 'object') {
    const e = error as { name?: unknown; code?: unknown; Code?: unknown };
    for (const candidate of [e.name, e.Code, e.code])
      if (typeof candidate === 'string' && candidate !== 'Error') return candidate;
  }
  return 'Error';
}

/**
 * A KMS test double on `aws-sdk-client-mock`, faithful enough that the real AWS Encryption SDK runs end to
 * end against it: per-key master keys, the encryption context bound as AES-GCM additional authenticated
 * data, and the errors KMS returns, built from the client's own exception classes.
 *
 * @module
 */
import {
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  type KeyObject,
  randomBytes,
  randomUUID,
} from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as ClientKms from '@aws-sdk/client-kms';
import type {
  DecryptCommandInput,
  DecryptCommandOutput,
  EncryptCommandInput,
  EncryptCommandOutput,
  GenerateDataKeyCommandInput,
  GenerateDataKeyCommandOutput,
  GenerateDataKeyWithoutPlaintextCommandInput,
  GenerateDataKeyWithoutPlaintextCommandOutput,
  KMSClient,
} from '@aws-sdk/client-kms';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { assertKnownOptions } from '../options.js';

/**
 * The KMS operations the double answers, counts and can fail on demand. Each is its own KMS permission
 * (`kms:<operation>`): denying `GenerateDataKey` does not deny `GenerateDataKeyWithoutPlaintext`, and the
 * other way round.
 */
export type KmsOperation = 'GenerateDataKey' | 'GenerateDataKeyWithoutPlaintext' | 'Encrypt' | 'Decrypt';

/** Options of {@link createKmsMock}. */
export interface CreateKmsMockOptions {
  /**
   * The key ARNs the double knows (`arn:aws:kms:<region>:<account>:key/<id>`), each given its own random
   * master key. A test that needs several keys (a multi-key message, one key disabled) names them here;
   * when none are given, one key is generated in `eu-west-1`, account `111122223333`.
   */
  keys?: readonly string[];
  /**
   * Key policies on the encryption context that the double starts with: for each key (its ARN or bare id,
   * one of `keys`), the statements {@link KmsMock.allowContext} would add, e.g.
   * `{ [key]: [{ conditions: { tenant_id: 'acme' } }] }`. Unlike those added by `allowContext`, they
   * survive {@link KmsMock.reset}, as the keys do: a test file can share one double with a fixed key policy.
   */
  policies?: { readonly [keyId: string]: readonly KmsContextStatement[] };
}

/**
 * The encryption-context conditions of one key policy statement: for each context key, the value, or one of
 * the values, the request's `EncryptionContext` must hold under that key. `{ tenant_id: ['acme', 'globex'] }`
 * is the statement condition `"StringEquals": { "kms:EncryptionContext:tenant_id": ["acme", "globex"] }`.
 */
export type KmsContextConditions = { readonly [contextKey: string]: string | readonly string[] };

/** One statement of {@link CreateKmsMockOptions.policies}, the arguments of {@link KmsMock.allowContext}. */
export interface KmsContextStatement {
  /** The conditions on the request's encryption context, all of which must hold. */
  readonly conditions: KmsContextConditions;
  /** The operations (the statement's `Action`) it allows under them; every operation when omitted. */
  readonly operations?: KmsOperation | readonly KmsOperation[];
}

/**
 * A running KMS double, returned by {@link createKmsMock}. It stays installed until {@link KmsMock.restore}
 * is called, so create it in `beforeAll`/`beforeEach` and restore it in the matching `after*` hook.
 */
export interface KmsMock {
  /** The full ARNs of the keys the double knows, in the order they were given. */
  readonly keys: readonly string[];
  /**
   * The underlying `aws-sdk-client-mock` stub of `KMSClient`, for the `aws-sdk-client-mock-jest` (or vitest)
   * matchers, e.g. `expect(kms.client).toHaveReceivedCommandTimes(GenerateDataKeyCommand, 1)`, and to answer
   * commands the double does not implement (`kms.client.on(DescribeKeyCommand).resolves(...)`). Calling
   * `client.reset()` would also drop the double's own behaviour: use {@link KmsMock.reset} instead.
   */
  readonly client: AwsClientStub<KMSClient>;
  /**
   * How many calls of `operation` reached the double since it was created or last {@link KmsMock.reset},
   * failed ones included, so a test can assert that a data key cache saved KMS round trips.
   */
  count(operation: KmsOperation): number;
  /** Makes every later operation on the key fail with `DisabledException`, as a disabled KMS key does. */
  disableKey(keyId: string): void;
  /**
   * Makes `operation` on the key (every operation when omitted) fail with `AccessDeniedException`, as a
   * key policy or IAM policy without that permission does. Calls add up: deny `Encrypt`, then `Decrypt`.
   */
  denyAccess(keyId: string, operation?: KmsOperation): void;
  /**
   * Puts a condition on the encryption context into the key's policy, as a key policy statement
   * `"Effect": "Allow"` with `"StringEquals": { "kms:EncryptionContext:<key>": [values] }` does in KMS, to
   * test per-tenant and per-field KMS permissions.
   *
   * Out of the box the double allows every operation on every key, whatever the context. The first
   * `allowContext` for an operation on a key replaces that with this statement: from then on, that operation
   * (each of `operations`, every operation when omitted) on that key succeeds only when the request's
   * `EncryptionContext` holds, for each key of `conditions`, one of its allowed values; otherwise it fails
   * with `AccessDeniedException`, as from {@link KmsMock.denyAccess}, with a message naming the operation
   * and the key (never the context). Operations not named stay allowed under any context.
   *
   * As in KMS:
   * - A context without one of the condition keys does not match (`StringEquals` on a missing key is false).
   *   Other keys in the context are allowed: KMS restricts those only with `kms:EncryptionContextKeys`
   *   (`ForAllValues:StringEquals`), which the double does not model.
   * - Values match exactly (`StringEquals` is case-sensitive); the condition key's name matches the
   *   context's key whatever its case, as condition key names are not case-sensitive in KMS. Where a
   *   context holds a key twice in different cases (which KMS advises against), every such value must be
   *   allowed.
   * - Calls add statements: any one of them allows the request (OR between statements, AND within one).
   * - The context checked is the one in the request. For `Decrypt`, that is the `EncryptionContext` given
   *   to Decrypt, not the one the blob was made with (which KMS cannot read before it decrypts): the
   *   policy is checked first, so a context the policy refuses fails with `AccessDeniedException` even when
   *   it is also the wrong context for the blob, and only an allowed one can fail with
   *   `InvalidCiphertextException`.
   * - A key policy cannot override an explicit deny: {@link KmsMock.denyAccess} still denies, first.
   *
   * @example
   * ```typescript
   * kms.allowContext(key, { tenant_id: 'acme' }); // every operation, tenant acme only
   * kms.allowContext(key, { tenant_id: ['acme', 'globex'], purpose: 'reporting' }, 'Decrypt');
   * ```
   *
   * @param keyId - the key, by ARN or bare key id
   * @param conditions - for each context key, the allowed value or values (at least one key, each with at
   *   least one value)
   * @param operations - the operations the statement allows; every operation when omitted
   * @throws TypeError for an unknown key or operation, or conditions that are not as described
   */
  allowContext(
    keyId: string,
    conditions: KmsContextConditions,
    operations?: KmsOperation | readonly KmsOperation[],
  ): void;
  /**
   * Makes the next `times` calls of `operation` fail with `ThrottlingException`, to exercise retry and
   * error paths. Calls add up; `Infinity` throttles until {@link KmsMock.reset}.
   */
  throttle(operation: KmsOperation, times?: number): void;
  /**
   * Clears counts, call history, disabled keys, denials, pending throttles and the context policies added by
   * {@link KmsMock.allowContext}, so one double can serve a whole test file. What the double was created
   * with stays: keys and their master keys, so ciphertexts made before still decrypt, and the
   * {@link CreateKmsMockOptions.policies} given to {@link createKmsMock}.
   *
   * It resets the double only, never a provider: a provider with a warm data-key cache answers without
   * calling KMS, so after `reset()` and `disableKey(key)` it still decrypts what it decrypted before (as it
   * would against KMS for up to `maxCacheAgeSeconds`). A test that needs a cold cache creates a new
   * `AWSEncryptionSDKProvider` (caches belong to the instance) or calls `provider.clearCache()`.
   */
  reset(): void;
  /** Puts the real `KMSClient#send` back; later calls go to AWS again. */
  restore(): void;
}

type ClientKmsModule = typeof ClientKms;

const OPERATIONS: readonly KmsOperation[] = [
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'Encrypt',
  'Decrypt',
];
const DEFAULT_REGION = 'eu-west-1';
const DEFAULT_ACCOUNT = '111122223333';
/** Any partition (`aws`, `aws-cn`, `aws-us-gov`, ...); the key id need not be a UUID (multi-Region `mrk-...`). */
const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/([A-Za-z0-9-]+)$/;

// CiphertextBlob, version 1 (all integers big-endian):
//   0      1  magic 0x4d ('M'), so a blob of this double is never taken for a real KMS blob (0x01 ...)
//   1      1  format version, 0x01
//   2      2  n, the byte length of the key ARN
//   4      n  the key ARN, UTF-8: names the key, so Decrypt works without KeyId as with symmetric KMS keys
//   4+n   12  AES-256-GCM IV
//   16+n  16  AES-256-GCM tag
//   32+n   *  AES-256-GCM ciphertext of the plaintext
// The AAD is the header (bytes 0 .. 4+n) followed by the canonical encryption context, so neither the
// named key nor the context can be changed without Decrypt failing.
const MAGIC = 0x4d;
const VERSION = 0x01;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const SUCCESS_METADATA_STATUS = 200;
const CLIENT_ERROR_STATUS = 400;
// KMS input limits, so a test that would fail against KMS fails against the double too.
const MAX_DATA_KEY_BYTES = 1024;
const MAX_PLAINTEXT_BYTES = 4096;
const MAX_CIPHERTEXT_BYTES = 6144;

interface Key {
  readonly arn: string;
  readonly masterKey: KeyObject;
}

/** A statement of a key policy on the encryption context, checked and copied from the test's arguments. */
interface ContextStatement {
  readonly operations: ReadonlySet<KmsOperation>;
  /** Condition key, lower-cased (condition key names are not case-sensitive), to its allowed values. */
  readonly conditions: ReadonlyMap<string, ReadonlySet<string>>;
}

let clientKms: ClientKmsModule | undefined;

/**
 * Loads `@aws-sdk/client-kms` as CommonJS, the copy the AWS Encryption SDK uses. The double only intercepts
 * calls made through the very `KMSClient` class it stubs, and the SDK (`@aws-crypto/kms-keyring-node`)
 * `require`s the client: an ESM-side class would be a different class and intercept nothing.
 */
const loadClientKms = (): ClientKmsModule => {
  if (clientKms !== undefined) return clientKms;
  // In CommonJS (the `lib/cjs` build, and tests compiled by swc or ts-jest) this is the module's own
  // `require`, which resolves from this file as the project's code does (under Jest, it is the registry's).
  // In ESM (`lib/esm`) there is no `require`, and `import.meta.url` cannot be written here: tsc also
  // compiles this file to CommonJS, where `import.meta` is an error (TS1343, and a SyntaxError on load).
  // The working directory stands in for this file's location: test runners start in the project root,
  // whose `node_modules` holds the same packages this file would find.
  const base: NodeJS.Require =
    typeof require === 'function' ? require : createRequire(join(process.cwd(), 'noop.js'));
  // Follow the SDK's own chain of dependencies so that, where the client is installed twice (pnpm, or a
  // nested version), the copy the SDK loads is the one stubbed; without the SDK, use the project's copy.
  const fromSdk = resolveChain(base, [
    '@aws-crypto/client-node',
    '@aws-crypto/kms-keyring-node',
    '@aws-sdk/client-kms',
  ]);
  try {
    clientKms = base(fromSdk ?? '@aws-sdk/client-kms') as ClientKmsModule;
  } catch (error) {
    throw new Error(
      `createKmsMock needs @aws-sdk/client-kms, and could not load it from ${typeof require === 'function' ? 'middy-data-masking' : `the working directory ${process.cwd()}`}: install it, and run the tests from the project root`,
      { cause: error },
    );
  }
  return clientKms;
};

/** Resolves each module from the directory of the one before it; `undefined` when a link is missing. */
const resolveChain = (base: NodeJS.Require, chain: readonly string[]): string | undefined => {
  let resolved: string | undefined;
  try {
    for (const id of chain) {
      resolved = resolved === undefined ? base.resolve(id) : base.resolve(id, { paths: [dirname(resolved)] });
    }
    return resolved;
  } catch {
    return undefined;
  }
};

/**
 * The AAD for a context: JSON of its entries sorted by key, which is unambiguous (any key or value may hold
 * any character) and ignores key order, as KMS does. A missing context and `{}` are the same, as in KMS.
 */
const canonicalContext = (context: Record<string, string> | undefined): Buffer => {
  const entries = Object.entries(context ?? {})
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Buffer.from(JSON.stringify(entries), 'utf8');
};

/** A view on the bytes of any typed array or Buffer, realm-independent (Jest runs tests in a vm context). */
const bytesOf = (value: unknown): Uint8Array | undefined =>
  ArrayBuffer.isView(value) ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength) : undefined;

/** A copy in its own ArrayBuffer: the SDK zeroes the `Plaintext` it receives, so nothing may share it. */
const isolatedCopy = (bytes: Uint8Array): Uint8Array => {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy;
};

const metadata = (httpStatusCode: number) => ({
  httpStatusCode,
  requestId: randomUUID(),
  attempts: 1,
  totalRetryDelay: 0,
});

/**
 * Creates a KMS double and installs it on `KMSClient` (and so on the aggregated `KMS` class, which extends
 * it, and which the AWS Encryption SDK uses): GenerateDataKey, GenerateDataKeyWithoutPlaintext, Encrypt and
 * Decrypt behave like KMS, with a random 256-bit master key per key and the encryption context bound as
 * AES-GCM AAD, so the real Encryption SDK, or the code under test, runs end to end without AWS.
 * GenerateDataKeyWithoutPlaintext answers `KeyId` and `CiphertextBlob` only; a later Decrypt with the same
 * context returns the data key. Other commands reject until answered through {@link KmsMock.client}.
 *
 * Errors are the client's own exception classes, as KMS would return them: `NotFoundException` (unknown
 * key), `DisabledException`, `AccessDeniedException` ({@link KmsMock.denyAccess}, or a context the key
 * policy refuses: {@link KmsMock.allowContext}), `ThrottlingException`, `InvalidCiphertextException`
 * (wrong context, tampered blob), `IncorrectKeyException` (Decrypt with another key's `KeyId`) and
 * `ValidationException`. `AccessDeniedException`, `ThrottlingException` and `ValidationException` have no
 * class in `@aws-sdk/client-kms`; like the client does for such errors, they are `KMSServiceException`s
 * with that `name`.
 *
 * Only one double is active at a time: creating another replaces the stub, and the first stops answering.
 *
 * @example
 * ```typescript
 * import { buildClient, CommitmentPolicy, KmsKeyringNode } from '@aws-crypto/client-node';
 * import { createKmsMock } from 'middy-data-masking/testing';
 *
 * const kms = createKmsMock();
 * afterAll(() => kms.restore());
 *
 * test('encrypts with KMS', async () => {
 *   const { encrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
 *   const keyring = new KmsKeyringNode({ generatorKeyId: kms.keys[0] });
 *   await encrypt(keyring, 'secret', { encryptionContext: { tenant_id: 't-1' } });
 *   expect(kms.count('GenerateDataKey')).toBe(1);
 * });
 * ```
 *
 * @param options - the key ARNs the double knows (one is generated when none are given), and the key
 *   policies on the encryption context it starts with
 * @throws DataMaskingUnsupportedTypeError for an unknown option (a misspelled `key`), or an unknown property
 *   of a policy statement, before anything is installed
 * @throws TypeError when a key is not a KMS key ARN or is given twice, or a policy names an unknown key or
 *   is not as {@link KmsMock.allowContext} takes it, before anything is installed
 */
export const createKmsMock = (options: CreateKmsMockOptions = {}): KmsMock => {
  assertKnownOptions(options, ['keys', 'policies'], 'createKmsMock options');
  const kms = loadClientKms();
  const arns =
    options.keys !== undefined && options.keys.length > 0
      ? [...options.keys]
      : [`arn:aws:kms:${DEFAULT_REGION}:${DEFAULT_ACCOUNT}:key/${randomUUID()}`];

  const byArn = new Map<string, Key>();
  const byKeyId = new Map<string, Key | null>(); // null: the bare id is ambiguous (same id, two ARNs)
  for (const arn of arns) {
    const match = typeof arn === 'string' ? KEY_ARN.exec(arn) : null;
    if (match === null) {
      throw new TypeError(
        `createKmsMock: ${JSON.stringify(arn)} is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)`,
      );
    }
    if (byArn.has(arn)) throw new TypeError(`createKmsMock: key ${arn} is given twice`);
    const secret = randomBytes(32);
    const key: Key = { arn, masterKey: createSecretKey(secret) };
    secret.fill(0);
    byArn.set(arn, key);
    const keyId = match[1];
    byKeyId.set(keyId, byKeyId.has(keyId) ? null : key);
  }

  const counts = new Map<KmsOperation, number>();
  const throttles = new Map<KmsOperation, number>();
  const disabled = new Set<string>();
  const denied = new Map<string, Set<KmsOperation>>();
  /** Context policy statements per key ARN: those given to createKmsMock, which reset() brings back ... */
  const initialPolicies = new Map<string, ContextStatement[]>();
  /** ... and those in force: the same, plus those added by allowContext since. */
  const policies = new Map<string, ContextStatement[]>();

  // KMS accepts a key ARN or its bare key id; responses always name the key by ARN.
  const findKey = (keyId: string): Key | undefined => byArn.get(keyId) ?? byKeyId.get(keyId) ?? undefined;

  /** For the control methods: naming a key the double does not know is a mistake in the test. */
  const knownKey = (method: string, keyId: string): Key => {
    const key = typeof keyId === 'string' ? findKey(keyId) : undefined;
    if (key === undefined)
      throw new TypeError(`createKmsMock: ${method}(${JSON.stringify(keyId)}): unknown key`);
    return key;
  };

  const checkOperation = (method: string, operation: unknown): KmsOperation => {
    if (!OPERATIONS.includes(operation as KmsOperation)) {
      throw new TypeError(
        `createKmsMock: ${method}: operation must be one of ${OPERATIONS.join(', ')}, got ${JSON.stringify(operation)}`,
      );
    }
    return operation as KmsOperation;
  };

  /** Checks and copies a statement, so that the test changing its objects later changes nothing here. */
  const statementOf = (method: string, conditions: unknown, operations: unknown): ContextStatement => {
    if (conditions === null || typeof conditions !== 'object' || Array.isArray(conditions)) {
      throw new TypeError(
        `createKmsMock: ${method}: conditions must be an object of context keys to allowed values`,
      );
    }
    const parsed = new Map<string, ReadonlySet<string>>();
    for (const [name, allowed] of Object.entries(conditions)) {
      const values: unknown[] | undefined =
        typeof allowed === 'string' ? [allowed] : Array.isArray(allowed) ? allowed : undefined;
      if (name === '' || values === undefined || values.length === 0) {
        throw new TypeError(
          `createKmsMock: ${method}: condition ${JSON.stringify(name)} must name a context key and allow a string or a non-empty array of strings`,
        );
      }
      if (!values.every((value) => typeof value === 'string')) {
        throw new TypeError(
          `createKmsMock: ${method}: condition ${JSON.stringify(name)} allows a non-string`,
        );
      }
      const folded = name.toLowerCase();
      if (parsed.has(folded)) {
        throw new TypeError(
          `createKmsMock: ${method}: condition ${JSON.stringify(name)} is given twice (condition keys are not case-sensitive)`,
        );
      }
      parsed.set(folded, new Set(values as string[]));
    }
    if (parsed.size === 0) {
      throw new TypeError(`createKmsMock: ${method}: conditions must name at least one context key`);
    }
    let allowed: KmsOperation[];
    if (operations === undefined) allowed = [...OPERATIONS];
    else if (Array.isArray(operations)) {
      if (operations.length === 0) {
        throw new TypeError(
          `createKmsMock: ${method}: operations must not be empty; omit it for every operation`,
        );
      }
      allowed = operations.map((operation: unknown) => checkOperation(method, operation));
    } else allowed = [checkOperation(method, operations)];
    return { operations: new Set(allowed), conditions: parsed };
  };

  const addStatement = (into: Map<string, ContextStatement[]>, arn: string, statement: ContextStatement) => {
    into.set(arn, [...(into.get(arn) ?? []), statement]);
  };

  const restorePolicies = (): void => {
    policies.clear();
    for (const [arn, statements] of initialPolicies) policies.set(arn, [...statements]);
  };

  /**
   * Whether the key policy lets `operation` on `key` run under the request's context: yes when no statement
   * names the operation (the double's default policy allows everything), else when one statement's
   * conditions all hold. A context value `undefined` is no value, as in {@link canonicalContext}.
   */
  const contextAllowed = (
    operation: KmsOperation,
    key: Key,
    context: Record<string, string> | undefined,
  ): boolean => {
    const statements = (policies.get(key.arn) ?? []).filter((each) => each.operations.has(operation));
    if (statements.length === 0) return true;
    const held = new Map<string, unknown[]>();
    for (const [name, value] of Object.entries(context ?? {})) {
      if (value === undefined) continue;
      const folded = name.toLowerCase();
      held.set(folded, [...(held.get(folded) ?? []), value]);
    }
    return statements.some(({ conditions }) =>
      [...conditions].every(([name, allowed]) => {
        // A missing key: StringEquals is false, as in KMS.
        return held.get(name)?.every((value) => allowed.has(value as string)) === true;
      }),
    );
  };

  // Unmodeled KMS errors: the client builds these as its base exception with the error code as name.
  const serviceError = (name: string, message: string): ClientKms.KMSServiceException =>
    new kms.KMSServiceException({
      name,
      $fault: 'client',
      message,
      $metadata: metadata(CLIENT_ERROR_STATUS),
    });

  const validationError = (message: string) =>
    serviceError('ValidationException', `1 validation error detected: ${message}`);

  const notFound = (keyId: string) =>
    new kms.NotFoundException({
      message: `Key '${keyId}' does not exist`,
      $metadata: metadata(CLIENT_ERROR_STATUS),
    });

  const invalidCiphertext = () =>
    new kms.InvalidCiphertextException({
      message:
        'The ciphertext is invalid, was not made by this key, or was made with another encryption context',
      $metadata: metadata(CLIENT_ERROR_STATUS),
    });

  /** Faults set by the test, in the order KMS checks them: rate limit first, then the key's policy and state. */
  const begin = (operation: KmsOperation): void => {
    counts.set(operation, (counts.get(operation) ?? 0) + 1);
    const pending = throttles.get(operation) ?? 0;
    if (pending > 0) {
      throttles.set(operation, pending - 1);
      throw serviceError('ThrottlingException', 'Rate exceeded');
    }
  };

  const accessDenied = (operation: KmsOperation, key: Key, because: string) =>
    serviceError(
      'AccessDeniedException',
      `User is not authorized to perform: kms:${operation} on resource: ${key.arn} because ${because}`,
    );

  /**
   * Authorization, then the key's state, as KMS orders them: an explicit deny first (no allow overrides it),
   * then the key policy's conditions on the request's encryption context (the message never shows the
   * context), then whether the key is enabled.
   */
  const authorize = (
    operation: KmsOperation,
    key: Key,
    context: Record<string, string> | undefined,
  ): void => {
    if (denied.get(key.arn)?.has(operation)) {
      throw accessDenied(operation, key, 'createKmsMock().denyAccess denies it');
    }
    if (!contextAllowed(operation, key, context)) {
      throw accessDenied(
        operation,
        key,
        'the encryption context in the request does not satisfy the key policy',
      );
    }
    if (disabled.has(key.arn)) {
      throw new kms.DisabledException({
        message: `${key.arn} is disabled.`,
        $metadata: metadata(CLIENT_ERROR_STATUS),
      });
    }
  };

  const requireKey = (keyId: unknown): Key => {
    if (typeof keyId !== 'string' || keyId === '') {
      throw validationError("Value null at 'keyId' failed to satisfy constraint: Member must not be null");
    }
    const key = findKey(keyId);
    if (key === undefined) throw notFound(keyId);
    return key;
  };

  const seal = (key: Key, plaintext: Uint8Array, context: Record<string, string> | undefined): Uint8Array => {
    const arn = Buffer.from(key.arn, 'utf8');
    const header = Buffer.alloc(4 + arn.byteLength);
    header.writeUInt8(MAGIC, 0);
    header.writeUInt8(VERSION, 1);
    header.writeUInt16BE(arn.byteLength, 2);
    arn.copy(header, 4);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key.masterKey, iv);
    cipher.setAAD(Buffer.concat([header, canonicalContext(context)]));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return isolatedCopy(Buffer.concat([header, iv, cipher.getAuthTag(), body]));
  };

  /** Splits a blob into the key it names and the rest; `undefined` when it is not one of ours. */
  const parse = (blob: Uint8Array) => {
    const buffer = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
    if (buffer.byteLength < 4 || buffer[0] !== MAGIC || buffer[1] !== VERSION) return undefined;
    const headerBytes = 4 + buffer.readUInt16BE(2);
    if (buffer.byteLength < headerBytes + IV_BYTES + TAG_BYTES + 1) return undefined;
    return {
      arn: buffer.toString('utf8', 4, headerBytes),
      header: buffer.subarray(0, headerBytes),
      iv: buffer.subarray(headerBytes, headerBytes + IV_BYTES),
      tag: buffer.subarray(headerBytes + IV_BYTES, headerBytes + IV_BYTES + TAG_BYTES),
      body: buffer.subarray(headerBytes + IV_BYTES + TAG_BYTES),
    };
  };

  /**
   * GenerateDataKey and GenerateDataKeyWithoutPlaintext alike: the same checks, in the order KMS makes
   * them, then a new random data key sealed under the request's context. Each is counted, throttled and
   * authorized under its own name, as each is its own KMS permission.
   */
  const newDataKey = (
    operation: 'GenerateDataKey' | 'GenerateDataKeyWithoutPlaintext',
    input: GenerateDataKeyCommandInput | GenerateDataKeyWithoutPlaintextCommandInput,
  ): GenerateDataKeyCommandOutput => {
    begin(operation);
    const { NumberOfBytes, KeySpec } = input;
    if ((NumberOfBytes === undefined) === (KeySpec === undefined)) {
      throw validationError('Please specify either number of bytes or key spec.');
    }
    const size = KeySpec === 'AES_256' ? 32 : KeySpec === 'AES_128' ? 16 : NumberOfBytes;
    if (!Number.isInteger(size) || (size as number) < 1 || (size as number) > MAX_DATA_KEY_BYTES) {
      throw validationError(
        KeySpec === undefined
          ? `Value at 'numberOfBytes' failed to satisfy constraint: Member must have value between 1 and ${MAX_DATA_KEY_BYTES}`
          : "Value at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]",
      );
    }
    const key = requireKey(input.KeyId);
    authorize(operation, key, input.EncryptionContext);
    const dataKey = randomBytes(size as number);
    try {
      return {
        KeyId: key.arn,
        CiphertextBlob: seal(key, dataKey, input.EncryptionContext),
        Plaintext: isolatedCopy(dataKey),
        $metadata: metadata(SUCCESS_METADATA_STATUS),
      };
    } finally {
      dataKey.fill(0);
    }
  };

  const generateDataKey = (input: GenerateDataKeyCommandInput): GenerateDataKeyCommandOutput =>
    newDataKey('GenerateDataKey', input);

  /** As KMS: the data key is made and sealed as for GenerateDataKey, then only its sealed copy is returned. */
  const generateDataKeyWithoutPlaintext = (
    input: GenerateDataKeyWithoutPlaintextCommandInput,
  ): GenerateDataKeyWithoutPlaintextCommandOutput => {
    const { KeyId, CiphertextBlob, Plaintext, $metadata } = newDataKey(
      'GenerateDataKeyWithoutPlaintext',
      input,
    );
    Plaintext?.fill(0);
    return { KeyId, CiphertextBlob, $metadata };
  };

  const encrypt = (input: EncryptCommandInput): EncryptCommandOutput => {
    begin('Encrypt');
    const plaintext = bytesOf(input.Plaintext);
    if (plaintext === undefined || plaintext.byteLength < 1 || plaintext.byteLength > MAX_PLAINTEXT_BYTES) {
      throw validationError(
        `Value at 'plaintext' failed to satisfy constraint: Member must have length between 1 and ${MAX_PLAINTEXT_BYTES}`,
      );
    }
    const key = requireKey(input.KeyId);
    authorize('Encrypt', key, input.EncryptionContext);
    return {
      KeyId: key.arn,
      CiphertextBlob: seal(key, plaintext, input.EncryptionContext),
      EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      $metadata: metadata(SUCCESS_METADATA_STATUS),
    };
  };

  const decrypt = (input: DecryptCommandInput): DecryptCommandOutput => {
    begin('Decrypt');
    const blob = bytesOf(input.CiphertextBlob);
    if (blob === undefined || blob.byteLength < 1 || blob.byteLength > MAX_CIPHERTEXT_BYTES) {
      throw validationError(
        `Value at 'ciphertextBlob' failed to satisfy constraint: Member must have length between 1 and ${MAX_CIPHERTEXT_BYTES}`,
      );
    }
    const requested = input.KeyId === undefined ? undefined : requireKey(input.KeyId);
    const parts = parse(blob);
    if (parts === undefined) throw invalidCiphertext();
    if (requested !== undefined && requested.arn !== parts.arn) {
      throw new kms.IncorrectKeyException({
        message: 'The key ID in the request does not identify a KMS key that can perform this operation.',
        $metadata: metadata(CLIENT_ERROR_STATUS),
      });
    }
    // A blob naming a key the double does not know cannot have been made by it: KMS says invalid ciphertext.
    const key = byArn.get(parts.arn);
    if (key === undefined) throw invalidCiphertext();
    // Which key policy applies is read from the blob, so a blob that names no key of ours fails above as
    // InvalidCiphertextException. Then, as in KMS, the request is authorized before anything is decrypted:
    // the key policy sees the context of the request (the one the blob was made with is only known by
    // decrypting), so a context the policy refuses is AccessDeniedException even when it is also not the
    // blob's context; only an authorized request learns, below, that its context is wrong.
    authorize('Decrypt', key, input.EncryptionContext);
    let plaintext: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.masterKey, parts.iv);
      decipher.setAAD(Buffer.concat([parts.header, canonicalContext(input.EncryptionContext)]));
      decipher.setAuthTag(parts.tag);
      plaintext = Buffer.concat([decipher.update(parts.body), decipher.final()]);
    } catch {
      // GCM authentication failed: another context, or a changed byte. The cause is not kept, on purpose.
      throw invalidCiphertext();
    }
    try {
      return {
        KeyId: key.arn,
        Plaintext: isolatedCopy(plaintext),
        EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        $metadata: metadata(SUCCESS_METADATA_STATUS),
      };
    } finally {
      plaintext.fill(0);
    }
  };

  // Checked before anything is installed, so a refused option leaves the double installed before in place.
  if (options.policies !== undefined) {
    const given: unknown = options.policies;
    if (given === null || typeof given !== 'object' || Array.isArray(given)) {
      throw new TypeError('createKmsMock: policies must be an object of keys to arrays of statements');
    }
    for (const [keyId, statements] of Object.entries(given)) {
      const { arn } = knownKey('policies', keyId);
      if (!Array.isArray(statements) || statements.length === 0) {
        throw new TypeError(
          `createKmsMock: policies[${JSON.stringify(keyId)}] must be a non-empty array of statements`,
        );
      }
      for (const statement of statements as unknown[]) {
        const where = `createKmsMock policies[${JSON.stringify(keyId)}]`;
        // `?? null`: assertKnownOptions lets `undefined` through (omitted options); a statement must be there.
        assertKnownOptions(statement ?? null, ['conditions', 'operations'], where);
        const { conditions, operations } = statement as KmsContextStatement;
        addStatement(initialPolicies, arn, statementOf(where, conditions, operations));
      }
    }
  }
  restorePolicies();

  const client = mockClient(kms.KMSClient);
  const install = (): void => {
    // The default behaviour, for commands without a fake of their own: fail loudly instead of resolving
    // `undefined`, and name the command. Fakes the test adds with `client.on(...)` take precedence.
    client.send.callsFake(async (command: { constructor: { name: string } }) => {
      throw new Error(
        `createKmsMock answers GenerateDataKey, GenerateDataKeyWithoutPlaintext, Encrypt and Decrypt; answer ${command.constructor.name} with kmsMock.client.on(...)`,
      );
    });
    // Async, so that every outcome, failures included, is a promise, as from the real `send`.
    client
      .on(kms.GenerateDataKeyCommand)
      .callsFake(async (input: GenerateDataKeyCommandInput) => generateDataKey(input));
    client
      .on(kms.GenerateDataKeyWithoutPlaintextCommand)
      .callsFake(async (input: GenerateDataKeyWithoutPlaintextCommandInput) =>
        generateDataKeyWithoutPlaintext(input),
      );
    client.on(kms.EncryptCommand).callsFake(async (input: EncryptCommandInput) => encrypt(input));
    client.on(kms.DecryptCommand).callsFake(async (input: DecryptCommandInput) => decrypt(input));
  };
  install();

  const keys = Object.freeze([...byArn.keys()]);
  return Object.freeze({
    keys,
    client,
    count: (operation: KmsOperation): number => counts.get(checkOperation('count', operation)) ?? 0,
    disableKey: (keyId: string): void => {
      disabled.add(knownKey('disableKey', keyId).arn);
    },
    denyAccess: (keyId: string, operation?: KmsOperation): void => {
      const { arn } = knownKey('denyAccess', keyId);
      const operations = denied.get(arn) ?? new Set<KmsOperation>();
      if (operation === undefined) for (const each of OPERATIONS) operations.add(each);
      else operations.add(checkOperation('denyAccess', operation));
      denied.set(arn, operations);
    },
    allowContext: (
      keyId: string,
      conditions: KmsContextConditions,
      operations?: KmsOperation | readonly KmsOperation[],
    ): void => {
      const { arn } = knownKey('allowContext', keyId);
      addStatement(policies, arn, statementOf('allowContext', conditions, operations));
    },
    throttle: (operation: KmsOperation, times = 1): void => {
      checkOperation('throttle', operation);
      if (!(Number.isInteger(times) || times === Number.POSITIVE_INFINITY) || times < 0) {
        throw new TypeError(`createKmsMock: throttle: times must be a whole number >= 0, got ${times}`);
      }
      throttles.set(operation, (throttles.get(operation) ?? 0) + times);
    },
    reset: (): void => {
      counts.clear();
      throttles.clear();
      disabled.clear();
      denied.clear();
      restorePolicies();
      client.resetHistory();
    },
    restore: (): void => {
      // Only while our stub is the installed one: after another double replaced it, restoring would be
      // a no-op at best, and must not put anything back over the newer stub.
      if (kms.KMSClient.prototype.send === client.send) client.restore();
    },
  });
};

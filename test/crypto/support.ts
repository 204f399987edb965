/** Shared set-up for the encryption tests: the KMS test double and a provider on it. */
import { AWSEncryptionSDKProvider, type AWSEncryptionSDKProviderOptions } from '../../src/providers/kms.js';
import { createKmsMock, type KmsMock } from '../../src/testing/index.js';

/** A KMS double with `count` keys, started before each test and restored after the file. */
export function useKms(count = 2): { kms: () => KmsMock } {
  let kms: KmsMock | undefined;
  beforeAll(() => {
    kms = createKmsMock({
      keys: Array.from(
        { length: count },
        (_, i) =>
          `arn:aws:kms:eu-west-1:111122223333:key/${String(i + 1).padStart(8, '0')}-0000-4000-8000-000000000000`,
      ),
    });
  });
  beforeEach(() => kms?.reset());
  afterAll(() => kms?.restore());
  return { kms: () => kms as KmsMock };
}

export const provider = (keys: readonly string[], options: Partial<AWSEncryptionSDKProviderOptions> = {}) =>
  new AWSEncryptionSDKProvider({ keys, ...options });

/** Every string an error exposes: message, name, stack, causes, and its JSON. */
export function everythingIn(error: unknown): string {
  const parts: string[] = [];
  let e: unknown = error;
  for (let depth = 0; e !== undefined && e !== null && depth < 10; depth++) {
    const x = e as { message?: unknown; stack?: unknown; name?: unknown; cause?: unknown };
    parts.push(String(x.message), String(x.stack), String(x.name));
    try {
      parts.push(JSON.stringify(e));
    } catch {
      // cyclic: the other parts suffice
    }
    e = x.cause;
  }
  return parts.join('\n');
}

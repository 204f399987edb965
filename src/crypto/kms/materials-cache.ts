/**
 * The data-key cache behind the SDK's caching materials manager, owned by one provider: a least-recently-
 * used map of at most `capacity` entries that can be emptied on demand.
 *
 * The SDK's `getLocalCryptographicMaterialsCache` has no way to empty it, and keeps a timer alive for the
 * life of the process that holds on to it; replacing it would leave the data keys it holds unzeroed.
 * This one zeroes a data key whenever its entry leaves (evicted, expired, deleted or cleared).
 *
 * @module
 */
import type { NodeCachingMaterialsManager } from '@aws-crypto/client-node';

/** The cache interface the SDK's caching materials manager calls. */
type Cache = ConstructorParameters<typeof NodeCachingMaterialsManager>[0]['cache'];
type EncryptionEntry = Exclude<ReturnType<Cache['getEncryptionMaterial']>, false>;
type DecryptionEntry = Exclude<ReturnType<Cache['getDecryptionMaterial']>, false>;
type BranchKeyEntry = Exclude<ReturnType<Cache['getBranchKeyMaterial']>, false>;
type AnyEntry = EncryptionEntry | DecryptionEntry | BranchKeyEntry;

interface Slot {
  readonly kind: 'encryption' | 'decryption' | 'branch-key';
  readonly entry: AnyEntry;
  /** When the entry stops being served (ms since the epoch). */
  readonly expires: number;
}

const zero = (entry: AnyEntry): void => {
  entry.response.zeroUnencryptedDataKey();
};

/** An LRU materials cache that zeroes what it drops; see the module documentation. */
export class ClearableMaterialsCache implements Cache {
  readonly #capacity: number;
  readonly #slots = new Map<string, Slot>();

  /** @param capacity how many entries are kept, the least recently used evicted first */
  public constructor(capacity: number) {
    this.#capacity = Math.max(1, Math.floor(capacity));
  }

  /** How many entries are held now. */
  public get size(): number {
    return this.#slots.size;
  }

  public putEncryptionMaterial(
    key: string,
    response: EncryptionEntry['response'],
    plaintextLength: number,
    maxAge?: number,
  ): void {
    if (!(plaintextLength >= 0)) throw new RangeError('plaintextLength must not be negative');
    const entry = { response, bytesEncrypted: plaintextLength, messagesEncrypted: 1, now: Date.now() };
    this.#put(key, 'encryption', entry, maxAge);
  }

  public putDecryptionMaterial(key: string, response: DecryptionEntry['response'], maxAge?: number): void {
    this.#put(
      key,
      'decryption',
      { response, bytesEncrypted: 0, messagesEncrypted: 0, now: Date.now() },
      maxAge,
    );
  }

  public putBranchKeyMaterial(key: string, response: BranchKeyEntry['response'], maxAge?: number): void {
    this.#put(key, 'branch-key', { response, now: Date.now() }, maxAge);
  }

  public getEncryptionMaterial(key: string, plaintextLength: number): EncryptionEntry | false {
    if (!(plaintextLength >= 0)) throw new RangeError('plaintextLength must not be negative');
    const entry = this.#get(key, 'encryption') as EncryptionEntry | undefined;
    if (entry === undefined) return false;
    entry.bytesEncrypted += plaintextLength;
    entry.messagesEncrypted += 1;
    return entry;
  }

  public getDecryptionMaterial(key: string): DecryptionEntry | false {
    return (this.#get(key, 'decryption') as DecryptionEntry | undefined) ?? false;
  }

  public getBranchKeyMaterial(key: string): BranchKeyEntry | false {
    return (this.#get(key, 'branch-key') as BranchKeyEntry | undefined) ?? false;
  }

  public del(key: string): void {
    const slot = this.#slots.get(key);
    if (slot === undefined) return;
    this.#slots.delete(key);
    zero(slot.entry);
  }

  /** Zeroes and drops every entry. */
  public clear(): void {
    const slots = [...this.#slots.values()];
    this.#slots.clear();
    for (const slot of slots) zero(slot.entry);
  }

  /** The live entry under `key`, if it is of `kind` (the SDK's cache refuses a mismatch the same way). */
  #get(key: string, kind: Slot['kind']): AnyEntry | undefined {
    const slot = this.#slots.get(key);
    if (slot === undefined || slot.kind !== kind) return undefined;
    this.#slots.delete(key);
    if (slot.expires <= Date.now()) {
      zero(slot.entry);
      return undefined;
    }
    this.#slots.set(key, slot); // most recently used last
    return slot.entry;
  }

  #put(key: string, kind: Slot['kind'], entry: AnyEntry, maxAge: number | undefined): void {
    this.del(key);
    const age = maxAge !== undefined && maxAge > 0 ? maxAge : Number.POSITIVE_INFINITY;
    this.#slots.set(key, { kind, entry, expires: entry.now + age });
    while (this.#slots.size > this.#capacity) {
      const [oldest] = this.#slots.keys();
      this.del(oldest as string);
    }
  }
}

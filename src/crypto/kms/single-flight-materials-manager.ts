/**
 * Makes concurrent operations under one encryption context share one data-key generation. The SDK's
 * caching materials manager looks the cache up and fills it on a miss, but nothing stops ten concurrent
 * misses from calling GenerateDataKey ten times (measured: 10 fields → 10 calls). This manager lets the
 * first request for a cache entry go through and holds the others until it settles; they then find the
 * entry cached. The same applies to decryption materials (one KMS Decrypt for many fields under one
 * data key).
 *
 * @module
 */
import {
  type NodeAlgorithmSuite,
  type NodeCachingMaterialsManager,
  NodeDecryptionMaterial,
  type NodeEncryptionMaterial,
  type NodeMaterialsManager,
} from '@aws-crypto/client-node';

type EncryptionRequest = Parameters<NodeMaterialsManager['getEncryptionMaterials']>[0];
type DecryptRequest = Parameters<NodeMaterialsManager['decryptMaterials']>[0];

/** Resolves `true` when the flight it stands for succeeded (the cache is warm), `false` otherwise. */
type Flight = Promise<boolean>;

/** The unencrypted data key of a material: bytes, or (on Node) an opaque, immutable KeyObject. */
type DataKey = ReturnType<NodeDecryptionMaterial['getUnencryptedDataKey']>;

/**
 * A decrypted data key kept for reuse, its keyring trace and its expiry. Bytes are copied in and out and
 * zeroed when evicted; a KeyObject is shared, as the SDK's own cache does (it cannot be read or changed).
 */
interface CachedDataKey {
  readonly key: DataKey;
  readonly trace: NodeDecryptionMaterial['keyringTrace'][number];
  readonly expires: number;
}

/** How the decryption-material cache is bounded. */
export interface DecryptCacheLimits {
  /** Entries kept (least recently used evicted first). */
  readonly capacity: number;
  /** Milliseconds an entry is used. */
  readonly maxAgeMs: number;
}

export class SingleFlightMaterialsManager implements NodeMaterialsManager {
  readonly #inner: NodeCachingMaterialsManager;
  readonly #backing: NodeMaterialsManager;
  readonly #limits: DecryptCacheLimits;
  readonly #encryptFlights = new Map<string, Flight>();
  readonly #decryptFlights = new Map<string, Flight>();
  /**
   * Decrypted data keys of unsigned suites, keyed by the cheap string key the flights use. The SDK's
   * caching manager would hash the encrypted data keys and the context with SHA-512 for every message;
   * this map serves the same purpose for a fraction of the cost. Signed suites (which also carry a
   * verification key) stay on the SDK's cache.
   */
  readonly #decrypted = new Map<string, CachedDataKey>();
  /** Bumped by {@link clear}, so a flight that started before does not refill the cache. */
  #generation = 0;

  public constructor(
    inner: NodeCachingMaterialsManager,
    backing: NodeMaterialsManager,
    limits: DecryptCacheLimits,
  ) {
    this.#inner = inner;
    this.#backing = backing;
    this.#limits = limits;
  }

  /**
   * Zeroes and drops the decrypted data keys this manager holds (a data key held as a KeyObject cannot be
   * zeroed, and is dropped). The SDK cache behind the caching manager is cleared by its owner.
   */
  public clear(): void {
    this.#generation++;
    const entries = [...this.#decrypted.values()];
    this.#decrypted.clear();
    for (const entry of entries) forget(entry.key);
  }

  public getEncryptionMaterials = (request: EncryptionRequest): Promise<NodeEncryptionMaterial> =>
    single(this.#encryptFlights, encryptionKey(request), () => this.#inner.getEncryptionMaterials(request));

  public decryptMaterials = (request: DecryptRequest): Promise<NodeDecryptionMaterial> => {
    if (request.suite.signatureCurve !== undefined) {
      return single(this.#decryptFlights, decryptKey(request), () => this.#inner.decryptMaterials(request));
    }
    const key = decryptKey(request);
    const cached = this.#cached(key);
    if (cached !== undefined) return Promise.resolve(materialFrom(request, cached));
    return single(this.#decryptFlights, key, async () => {
      const warm = this.#cached(key);
      if (warm !== undefined) return materialFrom(request, warm);
      const generation = this.#generation;
      const material = await this.#backing.decryptMaterials(request);
      const trace = material.keyringTrace[0];
      const dataKey = material.hasValidKey() ? material.getUnencryptedDataKey() : undefined;
      if (dataKey !== undefined && trace !== undefined && generation === this.#generation) {
        // Bytes are copied: the SDK zeroes the material's key once the message is decrypted.
        this.#store(key, { key: copyOf(dataKey), trace, expires: Date.now() + this.#limits.maxAgeMs });
      }
      return material;
    });
  };

  #cached(key: string): CachedDataKey | undefined {
    const entry = this.#decrypted.get(key);
    if (entry === undefined) return undefined;
    this.#decrypted.delete(key);
    if (entry.expires <= Date.now()) {
      forget(entry.key);
      return undefined;
    }
    this.#decrypted.set(key, entry); // most recently used last
    return entry;
  }

  #store(key: string, entry: CachedDataKey): void {
    const previous = this.#decrypted.get(key);
    if (previous !== undefined) forget(previous.key);
    this.#decrypted.delete(key);
    this.#decrypted.set(key, entry);
    while (this.#decrypted.size > this.#limits.capacity) {
      const [oldest, evicted] = this.#decrypted.entries().next().value as [string, CachedDataKey];
      forget(evicted.key);
      this.#decrypted.delete(oldest);
    }
  }
}

async function single<T>(flights: Map<string, Flight>, key: string, fetch: () => Promise<T>): Promise<T> {
  for (;;) {
    const pending = flights.get(key);
    if (pending === undefined) break;
    // A flight that succeeded left its entry in the cache: fetch concurrently, it is a hit.
    if (await pending) return fetch();
  }
  const result = fetch();
  const flight: Flight = result.then(
    () => true,
    () => false,
  );
  flights.set(key, flight);
  void flight.then(() => {
    if (flights.get(key) === flight) flights.delete(key);
  });
  return result;
}

const suiteOf = (suite: NodeAlgorithmSuite | undefined) =>
  suite === undefined ? 'default' : String(suite.id);

/** Context entries sorted, so `{a, b}` and `{b, a}` share a flight. */
const contextKey = (context: Record<string, string>) =>
  JSON.stringify(Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

function encryptionKey(request: EncryptionRequest): string {
  return `${suiteOf(request.suite)}|${contextKey(request.encryptionContext)}`;
}

function decryptKey(request: DecryptRequest): string {
  const edks = request.encryptedDataKeys.map(
    (edk) => `${edk.providerId}:${edk.providerInfo}:${Buffer.from(edk.encryptedDataKey).toString('base64')}`,
  );
  return `${suiteOf(request.suite)}|${contextKey(request.encryptionContext)}|${edks.join(',')}`;
}

/** A fresh decryption material for `request` holding (a copy of) a cached data key. */
function materialFrom(request: DecryptRequest, cached: CachedDataKey): NodeDecryptionMaterial {
  return new NodeDecryptionMaterial(request.suite, request.encryptionContext).setUnencryptedDataKey(
    copyOf(cached.key),
    cached.trace,
  );
}

const copyOf = (key: DataKey): DataKey => (key instanceof Uint8Array ? Uint8Array.from(key) : key);

/** Zeroes key bytes; a KeyObject holds none we could reach, and is simply dropped. */
const forget = (key: DataKey): void => {
  if (key instanceof Uint8Array) key.fill(0);
};

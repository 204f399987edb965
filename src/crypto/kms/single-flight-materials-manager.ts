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
import type {
  NodeAlgorithmSuite,
  NodeCachingMaterialsManager,
  NodeDecryptionMaterial,
  NodeEncryptionMaterial,
  NodeMaterialsManager,
} from '@aws-crypto/client-node';
import { currentRecord } from './fault-recorder.js';

type EncryptionRequest = Parameters<NodeMaterialsManager['getEncryptionMaterials']>[0];
type DecryptRequest = Parameters<NodeMaterialsManager['decryptMaterials']>[0];

/** Resolves `true` when the flight it stands for succeeded (the cache is warm), `false` otherwise. */
type Flight = Promise<boolean>;

export class SingleFlightMaterialsManager implements NodeMaterialsManager {
  readonly #inner: NodeCachingMaterialsManager;
  readonly #configuredKeys: ReadonlySet<string>;
  readonly #encryptFlights = new Map<string, Flight>();
  readonly #decryptFlights = new Map<string, Flight>();

  public constructor(inner: NodeCachingMaterialsManager, configuredKeys: readonly string[]) {
    this.#inner = inner;
    this.#configuredKeys = new Set(configuredKeys);
  }

  public getEncryptionMaterials = (request: EncryptionRequest): Promise<NodeEncryptionMaterial> =>
    single(this.#encryptFlights, encryptionKey(request), () => this.#inner.getEncryptionMaterials(request));

  public decryptMaterials = (request: DecryptRequest): Promise<NodeDecryptionMaterial> => {
    const record = currentRecord();
    if (record !== undefined) {
      record.materialsRequested = true;
      record.noConfiguredKey = !request.encryptedDataKeys.some(
        (edk) => edk.providerId === 'aws-kms' && this.#configuredKeys.has(edk.providerInfo),
      );
    }
    return single(this.#decryptFlights, decryptKey(request), () => this.#inner.decryptMaterials(request));
  };
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

/** The provider's own SDK materials cache: bounded, expiring, clearable, and it zeroes what it drops. */
import { ClearableMaterialsCache } from '../../src/crypto/kms/materials-cache.js';

const material = () => ({ zeroUnencryptedDataKey: jest.fn() });
type Material = ReturnType<typeof material>;
const put = (cache: ClearableMaterialsCache, key: string, m: Material, maxAge = 60_000) =>
  cache.putEncryptionMaterial(key, m as never, 10, maxAge);

describe('ClearableMaterialsCache', () => {
  test('serves an entry and counts the messages and bytes it encrypts', () => {
    const cache = new ClearableMaterialsCache(2);
    const m = material();
    put(cache, 'a', m);
    const entry = cache.getEncryptionMaterial('a', 5);
    expect(entry).not.toBe(false);
    expect(entry && [entry.messagesEncrypted, entry.bytesEncrypted]).toEqual([2, 15]);
    expect(cache.getDecryptionMaterial('a')).toBe(false); // another kind under that key
  });

  test('evicts the least recently used entry beyond capacity, and zeroes it', () => {
    const cache = new ClearableMaterialsCache(2);
    const [a, b, c] = [material(), material(), material()];
    put(cache, 'a', a);
    put(cache, 'b', b);
    cache.getEncryptionMaterial('a', 0); // a is now the most recently used
    put(cache, 'c', c);
    expect(cache.size).toBe(2);
    expect(b.zeroUnencryptedDataKey).toHaveBeenCalled();
    expect(a.zeroUnencryptedDataKey).not.toHaveBeenCalled();
    expect(cache.getEncryptionMaterial('b', 0)).toBe(false);
  });

  test('an expired entry is not served, and is zeroed', async () => {
    const cache = new ClearableMaterialsCache(2);
    const m = material();
    cache.putDecryptionMaterial('d', m as never, 30);
    expect(cache.getDecryptionMaterial('d')).not.toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(cache.getDecryptionMaterial('d')).toBe(false);
    expect(m.zeroUnencryptedDataKey).toHaveBeenCalled();
  });

  test('del, a replaced entry and clear() zero what they drop', () => {
    const cache = new ClearableMaterialsCache(10);
    const [a, a2, b, c] = [material(), material(), material(), material()];
    put(cache, 'a', a);
    put(cache, 'a', a2);
    expect(a.zeroUnencryptedDataKey).toHaveBeenCalled();
    put(cache, 'b', b);
    cache.del('b');
    expect(b.zeroUnencryptedDataKey).toHaveBeenCalled();
    cache.putDecryptionMaterial('c', c as never, 60_000);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(a2.zeroUnencryptedDataKey).toHaveBeenCalled();
    expect(c.zeroUnencryptedDataKey).toHaveBeenCalled();
  });
});

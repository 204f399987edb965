/**
 * DynamoDB Streams images (SPEC §9): `NewImage` and `OldImage` are AttributeValue maps. They are
 * unmarshalled with `@aws-sdk/util-dynamodb` into plain values for the expressions, and a changed image
 * is marshalled back; an unchanged one keeps its exact AttributeValue form. `Keys` are left as they are
 * (they name the item; decrypting or masking them would break the stream's identity).
 *
 * Numbers stay exact: a number JavaScript cannot hold (beyond 2^53, or with more digits than a double
 * keeps) is carried as a raw JSON number and written back as the same `N` text.
 *
 * `@aws-sdk/util-dynamodb` is loaded on the first DynamoDB record only, so other batches never load it.
 *
 * @module
 */
import { isRawJson, rawJsonNumber } from '../erase/lossless-json.js';
import { setMember } from '../erase/map-leaves.js';
import { DataMaskingUnsupportedTypeError } from '../errors.js';

type UtilDynamoDb = typeof import('@aws-sdk/util-dynamodb');
type Image = Record<string, unknown>;

/** The image fields of a stream record that hold item data. */
export const IMAGE_FIELDS = ['NewImage', 'OldImage'] as const;

let loading: Promise<UtilDynamoDb> | undefined;

/** `@aws-sdk/util-dynamodb`, loaded once, on first use. */
function utilDynamoDb(): Promise<UtilDynamoDb> {
  loading ??= import('@aws-sdk/util-dynamodb').catch((cause: unknown) => {
    loading = undefined;
    throw new DataMaskingUnsupportedTypeError(
      'DynamoDB Streams records need @aws-sdk/util-dynamodb: install it next to middy-data-masking',
      { cause },
    );
  });
  return loading;
}

/** A DynamoDB number as a JavaScript number when that is exact, else as a raw JSON number. */
function exactNumber(text: string): unknown {
  const n = Number(text);
  if (Number.isFinite(n) && String(n) === text) return n;
  const raw = rawJsonNumber(text);
  if (raw === undefined) {
    throw new DataMaskingUnsupportedTypeError('a DynamoDB number cannot be held exactly on this runtime');
  }
  return raw;
}

/**
 * One image, unmarshalled for the expressions. String, number and binary sets (`SS`, `NS`, `BS`) become
 * arrays, so an expression can look into them like into any list (a `Set` has no JSON form: its members
 * would otherwise pass unseen); `sets` remembers where they were, for {@link writeImage}.
 */
export interface ReadImage {
  readonly value: Record<string, unknown>;
  readonly sets: ReadonlySet<string>;
}

/** Where a value sits in an image, as one string. */
const pathKey = (path: readonly (string | number)[]): string => JSON.stringify(path);

/** Unmarshalls one image for the expressions. */
export async function readImage(image: Image): Promise<ReadImage> {
  const { unmarshall } = await utilDynamoDb();
  const value = unmarshall(image as never, { wrapNumbers: exactNumber }) as Record<string, unknown>;
  const sets = new Set<string>();
  const path: (string | number)[] = [];
  const lists = (v: unknown): unknown => {
    if (v instanceof Set) {
      sets.add(pathKey(path));
      return Array.from(v);
    }
    if (v === null || typeof v !== 'object' || isRawJson(v) || ArrayBuffer.isView(v)) return v;
    if (Array.isArray(v)) {
      return v.map((item, i) => {
        path.push(i);
        const out = lists(item);
        path.pop();
        return out;
      });
    }
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) {
      path.push(k);
      setMember(out, k, lists((v as Record<string, unknown>)[k]));
      path.pop();
    }
    return out;
  };
  return { value: lists(value) as Record<string, unknown>, sets };
}

/**
 * Marshalls a masked image back to AttributeValue form: raw JSON numbers as the same `N` text, and the
 * lists that were sets as sets again (a set whose members were masked to strings is written as a string
 * set, or fails to marshall, and so fails its record, if its kind cannot hold them).
 */
export async function writeImage(value: Record<string, unknown>, sets: ReadonlySet<string>): Promise<Image> {
  const { marshall, NumberValueImpl } = await utilDynamoDb();
  const path: (string | number)[] = [];
  const restore = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (isRawJson(v)) return new NumberValueImpl((v as { rawJSON: string }).rawJSON);
    if (Array.isArray(v)) {
      const items = v.map((item, i) => {
        path.push(i);
        const out = restore(item);
        path.pop();
        return out;
      });
      return sets.has(pathKey(path)) ? new Set(items) : items;
    }
    if (Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null) return v;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) {
      path.push(k);
      setMember(out, k, restore((v as Record<string, unknown>)[k]));
      path.pop();
    }
    return out;
  };
  return marshall(restore(value) as never, { removeUndefinedValues: true }) as unknown as Image;
}

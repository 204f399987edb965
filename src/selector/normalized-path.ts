/**
 * RFC 9535 §2.7 normalized paths: `$['a'][0]`, the one canonical spelling of a node's location.
 *
 * @module
 */

/** Formats keys from the root down as a normalized path. */
export function normalizedPath(keys: readonly (string | number)[]): string {
  let out = '$';
  for (const key of keys) out += typeof key === 'number' ? `[${key}]` : `['${escapeName(key)}']`;
  return out;
}

function escapeName(name: string): string {
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    switch (c) {
      case 0x08:
        out += '\\b';
        break;
      case 0x0c:
        out += '\\f';
        break;
      case 0x0a:
        out += '\\n';
        break;
      case 0x0d:
        out += '\\r';
        break;
      case 0x09:
        out += '\\t';
        break;
      case 0x27:
        out += "\\'";
        break;
      case 0x5c:
        out += '\\\\';
        break;
      default:
        out += c < 0x20 ? `\\u${c.toString(16).padStart(4, '0')}` : name[i];
    }
  }
  return out;
}

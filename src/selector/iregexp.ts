/**
 * RFC 9485 I-Regexp, the interoperable regular expressions of the JSONPath `match()` and `search()`
 * functions, checked against its grammar and translated to a JavaScript `u`-mode RegExp.
 *
 * What differs from JavaScript: `.` matches any character but `\n` and `\r`; only a few escapes exist; a
 * pattern outside the grammar makes the function return false (RFC 9535 §2.4.6) rather than throw. `^` and
 * `$` keep their anchor meaning, as the JSONPath Compliance Test Suite expects.
 *
 * @module
 */

const CATEGORIES = new Set([
  'L',
  'Ll',
  'Lm',
  'Lo',
  'Lt',
  'Lu',
  'M',
  'Mc',
  'Me',
  'Mn',
  'N',
  'Nd',
  'Nl',
  'No',
  'P',
  'Pc',
  'Pd',
  'Pe',
  'Pf',
  'Pi',
  'Po',
  'Ps',
  'Z',
  'Zl',
  'Zp',
  'Zs',
  'S',
  'Sc',
  'Sk',
  'Sm',
  'So',
  'C',
  'Cc',
  'Cf',
  'Cn',
  'Co',
]);
/** Characters that follow `\` in a SingleCharEsc. */
const SINGLE_ESCAPES = new Set([
  '(',
  ')',
  '*',
  '+',
  '-',
  '.',
  '?',
  '[',
  '\\',
  ']',
  '^',
  'n',
  'r',
  't',
  '{',
  '|',
  '}',
]);
/** Characters that are not NormalChar outside a class. */
const META = new Set(['(', ')', '*', '+', '.', '?', '[', '\\', ']', '{', '|', '}']);
const DOT = '[^\\n\\r]';

/**
 * Translates an I-Regexp to the body of an equivalent JavaScript `u`-mode pattern, or returns
 * `undefined` when the pattern is not an I-Regexp.
 */
export function translateIRegexp(pattern: string): string | undefined {
  let i = 0;
  let out = '';
  let depth = 0;
  const n = pattern.length;

  const parseEscape = (inClass: boolean): string | undefined => {
    // at pattern[i] === '\\'
    const e = pattern[i + 1];
    if (e === undefined) return undefined;
    if (e === 'p' || e === 'P') {
      if (pattern[i + 2] !== '{') return undefined;
      const close = pattern.indexOf('}', i + 3);
      if (close < 0) return undefined;
      const prop = pattern.slice(i + 3, close);
      if (!CATEGORIES.has(prop)) return undefined;
      i = close + 1;
      return `\\${e}{${prop}}`;
    }
    if (!SINGLE_ESCAPES.has(e)) return undefined;
    i += 2;
    // `\-` is a syntax error outside a class in u-mode; it only means '-'.
    if (e === '-') return inClass ? '\\-' : '-';
    return `\\${e}`;
  };

  const quantifier = (): boolean => {
    const c = pattern[i];
    if (c === '*' || c === '+' || c === '?') {
      out += c;
      i++;
      return true;
    }
    if (c === '{') {
      const m = /^\{([0-9]+)(,([0-9]*))?\}/.exec(pattern.slice(i));
      if (!m) return false;
      if (m[3] !== undefined && m[3] !== '' && Number(m[3]) < Number(m[1])) return false;
      out += m[0];
      i += m[0].length;
      return true;
    }
    return true;
  };

  const classExpr = (): boolean => {
    // at '['
    i++;
    out += '[';
    if (pattern[i] === '^') {
      out += '^';
      i++;
    }
    let first = true;
    for (;;) {
      if (i >= n) return false;
      const c = pattern[i];
      if (c === ']' && !first) {
        out += ']';
        i++;
        return true;
      }
      if (c === '-') {
        // Allowed first, or last before ']'.
        if (first || pattern[i + 1] === ']') {
          out += '\\-';
          i++;
          first = false;
          continue;
        }
        return false;
      }
      const lo = classChar();
      if (lo === undefined) return false;
      out += lo.text;
      if (pattern[i] === '-' && pattern[i + 1] !== ']' && lo.single) {
        i++;
        const hi = classChar();
        if (hi === undefined || !hi.single) return false;
        out += `-${hi.text}`;
      }
      first = false;
    }
  };

  const classChar = (): { text: string; single: boolean } | undefined => {
    const c = pattern[i];
    if (c === '\\') {
      const isCat = pattern[i + 1] === 'p' || pattern[i + 1] === 'P';
      const t = parseEscape(true);
      return t === undefined ? undefined : { text: t, single: !isCat };
    }
    if (c === '[' || c === ']' || c === '-') return undefined;
    const cp = pattern.codePointAt(i) as number;
    const ch = String.fromCodePoint(cp);
    i += ch.length;
    return { text: ch === '^' ? '\\^' : ch, single: true };
  };

  while (i < n) {
    const c = pattern[i];
    if (c === '|') {
      out += '|';
      i++;
      continue;
    }
    if (c === ')') {
      if (depth === 0) return undefined;
      depth--;
      out += ')';
      i++;
      if (!quantifier()) return undefined;
      continue;
    }
    if (c === '(') {
      depth++;
      out += '(?:';
      i++;
      continue;
    }
    if (c === '.') {
      out += DOT;
      i++;
    } else if (c === '[') {
      if (!classExpr()) return undefined;
    } else if (c === '\\') {
      const t = parseEscape(false);
      if (t === undefined) return undefined;
      out += t;
    } else if (META.has(c)) {
      return undefined; // a quantifier with nothing to repeat, or a stray bracket
    } else {
      const cp = pattern.codePointAt(i) as number;
      if (cp >= 0xd800 && cp <= 0xdfff) return undefined; // lone surrogate
      const ch = String.fromCodePoint(cp);
      i += ch.length;
      out += ch;
    }
    if (!quantifier()) return undefined;
    if (pattern[i] === '*' || pattern[i] === '+' || pattern[i] === '?' || pattern[i] === '{')
      return undefined;
  }
  if (depth !== 0) return undefined;
  return out;
}

const cache = new Map<string, RegExp | null>();
const CACHE_LIMIT = 256;

/** The compiled RegExp of an I-Regexp (`anchored` for `match()`), or `null` when it is not one. */
export function compileIRegexp(pattern: string, anchored: boolean): RegExp | null {
  const key = (anchored ? 'm' : 's') + pattern;
  let re = cache.get(key);
  if (re !== undefined) return re;
  const body = translateIRegexp(pattern);
  if (body === undefined) {
    re = null;
  } else {
    try {
      re = new RegExp(anchored ? `^(?:${body})$` : body, 'u');
    } catch {
      re = null;
    }
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, re);
  return re;
}

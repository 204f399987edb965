/**
 * IP addresses: IPv4 dotted quads and IPv6 in full, compressed (`::`) and IPv4-embedded forms
 * (`::ffff:192.0.2.1`).
 *
 * IPv4: four decimal octets of 0 to 255 without leading zeros (`01.2.3.4` is not an address). The quad
 * must be a whole dotted run: `1.2.3.4.5`, OIDs such as `1.3.6.1.4.1` and `1.2.3` are left alone, as are
 * quads glued to a word (`v1.2.3.4`, `x10.0.0.1`), followed by `-` and a letter (the pre-release part of a
 * version, `1.2.3.4-beta`), named as a version (`version 1.2.3.4`, `"ver": "1.2.3.4"`) or the version of a
 * product, right after a product name and `/` as in user agents (`Chrome/123.0.0.0`, `Version/17.0.1.2`).
 * A product name is a word that starts with a letter and holds letters, digits, `_` and `-`, at most 32 of
 * them, at the start of the text or after a blank, a quote, a bracket or one of `,;=|\<>`; a word after
 * `/`, `.`, `:` or `@` is part of a URL, so `http://10.0.0.1/`, `//1.2.3.4`, `example.com/10.0.0.1` and
 * `/hosts/10.0.0.1` are still masked. A port after an address stays visible: `10.0.0.1:8080` masks
 * `10.0.0.1` and keeps `:8080`, as the brackets of `[2001:db8::1]:443` keep the port of an IPv6 address.
 * Only a port that may open a number written with blanks (`10.0.0.1:415 555 0132`) is masked with the
 * address, as the number detectors would take it for a number once the address is masked. An address
 * after a key (`ip:10.0.0.1`) is masked alone.
 *
 * IPv6: groups of one to four hex digits joined by `:`, at most one `::`, eight groups without it, an
 * optional IPv4 tail counting as two. The whole run of address characters must be the address, and it must
 * hold a decimal digit, so C++ and Rust paths (`std::vec`, `Abc::Def`), `::` alone, clock times (`10:30:00`)
 * and hex words are left alone. MAC addresses (six colon-separated pairs) are not addresses and are left
 * alone; so is the EUI-64 look-alike of eight pairs without `::`. A zone (`%eth0`), prefix length (`/64`) or
 * brackets around it stay visible.
 *
 * A final `.` or single `:` is punctuation, not part of the address (`from 10.0.0.1.`, `fe80::1: refused`).
 *
 * An address joined to a number by `-` or `,` (`10.0.0.1-555`) is left alone, because the card, SSN and
 * phone detectors reject a number so joined; masking the address would let them find it on a second pass.
 * A range or list of addresses (`10.0.0.1-10.0.0.9`, `10.0.0.1,10.0.0.2`), also with ports
 * (`10.0.0.1:9092,10.0.0.2:9092`), is masked.
 *
 * Linear: the text is read run by run (a run is a maximal stretch of hex digits, `:` and `.`); each run is
 * read a bounded number of times, and the checks around it read at most one neighbouring run, bounded.
 *
 * @module
 */

import {
  COLON,
  COMMA,
  codeBefore,
  type Detector,
  DOT,
  digitsEnd,
  HYPHEN,
  isAsciiLetter,
  isDigit,
  isHexDigit,
  isWordChar,
  SPACE,
  type Span,
  scanDetector,
  TAB,
} from './detector.js';

/** The longest IPv6 address written out, with an IPv4 tail: 45 characters. */
const MAX_ADDRESS = 45;
/** The longest run that can hold an address and a port (`…:65535`) or a final `.`, and a little more. */
const MAX_RUN = 56;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;
const EQUALS = 0x3d;
const SLASH = 0x2f;

/** A character of an address run: a hex digit, `:` or `.`. @internal */
export const isAddressChar = (code: number): boolean => isHexDigit(code) || code === COLON || code === DOT;

const isHexLetter = (code: number): boolean => isHexDigit(code) && !isDigit(code);

/** Whether `text[start, end)` is exactly an IPv4 dotted quad. @internal */
export function isIpv4(text: string, start: number, end: number): boolean {
  let parts = 0;
  let i = start;
  for (;;) {
    const partStart = i;
    let value = 0;
    while (i < end && i - partStart < 4 && isDigit(text.charCodeAt(i))) {
      value = value * 10 + text.charCodeAt(i) - 0x30;
      i++;
    }
    const length = i - partStart;
    if (length === 0 || length > 3 || value > 255) return false;
    if (length > 1 && text.charCodeAt(partStart) === 0x30) return false;
    parts++;
    if (i === end) return parts === 4;
    if (parts === 4 || text.charCodeAt(i) !== DOT) return false;
    i++;
  }
}

/** Whether `text[start, end)` is exactly an IPv6 address, under the rules of the module comment. @internal */
export function isIpv6(text: string, start: number, end: number): boolean {
  if (end - start > MAX_ADDRESS) return false;
  let i = start;
  let groups = 0;
  let compressed = false;
  let wide = false;
  let decimal = false;
  if (text.charCodeAt(i) === COLON) {
    if (text.charCodeAt(i + 1) !== COLON || i + 2 === end) return false;
    compressed = true;
    i += 2;
  }
  for (;;) {
    const groupStart = i;
    while (i < end && i - groupStart < 5 && isHexDigit(text.charCodeAt(i))) {
      if (isDigit(text.charCodeAt(i))) decimal = true;
      i++;
    }
    const length = i - groupStart;
    if (i < end && text.charCodeAt(i) === DOT) {
      // An IPv4 tail ends the address and stands for two groups.
      if (!isIpv4(text, groupStart, end)) return false;
      groups += 2;
      wide = true;
      break;
    }
    if (length === 0 || length > 4) return false;
    if (length > 2) wide = true;
    groups++;
    if (i === end) break;
    if (text.charCodeAt(i) !== COLON || i + 1 === end) return false;
    i++;
    if (text.charCodeAt(i) === COLON) {
      if (compressed) return false;
      compressed = true;
      i++;
      if (i === end) break;
    }
  }
  if (!decimal) return false;
  // Eight pairs and no `::` is how EUI-64 identifiers are written, not addresses.
  return compressed ? groups <= 7 : groups === 8 && wide;
}

/** The end of the `[0-9.]` stretch that starts at `start`, not beyond `end`. */
function stretchEnd(text: string, start: number, end: number): number {
  let i = start;
  while (i < end && (isDigit(text.charCodeAt(i)) || text.charCodeAt(i) === DOT)) i++;
  return i;
}

/**
 * Whether the run of address characters `[start, end)` begins with an address this detector may mask: an
 * IPv6 address (a final `.` or `:` aside), or an IPv4 address (with or without a port after it).
 */
function startsWithAddress(text: string, start: number, end: number): boolean {
  const last = text.charCodeAt(end - 1);
  const trimmed = last === DOT || last === COLON ? end - 1 : end;
  if (isIpv6(text, start, end) || isIpv6(text, start, trimmed)) return true;
  let quadEnd = stretchEnd(text, start, end);
  if (quadEnd === end && last === DOT) quadEnd--;
  return isIpv4(text, start, quadEnd);
}

/**
 * Whether the run of address characters `[start, end)` ends with an address this detector may mask: an
 * IPv6 address, an IPv4 address (after a key and `:`, or alone), or an IPv4 address and its port.
 */
function endsWithAddress(text: string, start: number, end: number): boolean {
  if (isIpv6(text, start, end)) return true;
  let quadStart = end;
  while (quadStart > start && text.charCodeAt(quadStart - 1) !== COLON) quadStart--;
  if (isIpv4(text, quadStart, end)) return true;
  const quadEnd = stretchEnd(text, start, end);
  return quadStart - 1 === quadEnd && isIpv4(text, start, quadEnd);
}

/**
 * Whether the address ending at `end` may be masked given what follows: not a word character, and after
 * `-` or `,` no number or word (a version's `-beta`), unless what follows is itself an address, as in a
 * range or list. Numbers joined by `-` or `,` are left alone because the card, SSN and phone detectors
 * reject a number so joined: masking the address would let them find that number on a second pass.
 */
function freeAfter(text: string, end: number): boolean {
  const code = text.charCodeAt(end);
  if (isWordChar(code)) return false;
  if (code !== HYPHEN && code !== COMMA) return true;
  const next = text.charCodeAt(end + 1);
  if (isHexDigit(next)) {
    let runEnd = end + 1;
    while (runEnd - end <= MAX_RUN && isAddressChar(text.charCodeAt(runEnd))) runEnd++;
    if (runEnd - end <= MAX_RUN && startsWithAddress(text, end + 1, runEnd)) return true;
  }
  return !isDigit(next) && !(code === HYPHEN && isAsciiLetter(next));
}

/** The mirror of {@link freeAfter} for the address starting at `start`. */
function freeBefore(text: string, start: number, from: number): boolean {
  const code = codeBefore(text, start - 1, from);
  if (isWordChar(code)) return false;
  if ((code !== HYPHEN && code !== COMMA) || !isDigit(codeBefore(text, start - 2, from))) return true;
  const runEnd = start - 1;
  let runStart = runEnd;
  while (runEnd - runStart <= MAX_RUN && isAddressChar(codeBefore(text, runStart - 1, from))) runStart--;
  if (runStart === from && from > 0 && isPort(text, runStart, runEnd)) return true;
  return runEnd - runStart <= MAX_RUN && endsWithAddress(text, runStart, runEnd);
}

/**
 * Whether `[start, end)` is `:` and one to five digits. Right after the previous mask of this detector
 * (every span it masks is an address) it is that address's port, as in `10.0.0.1:9092,10.0.0.2:9092`. The
 * card, SSN and phone detectors cannot take a port so joined for part of a number: it follows a `:`.
 */
function isPort(text: string, start: number, end: number): boolean {
  return (
    text.charCodeAt(start) === COLON &&
    end - start >= 2 &&
    end - start <= 6 &&
    digitsEnd(text, start + 1) === end
  );
}

const isVersionSeparator = (code: number): boolean =>
  code === SPACE || code === EQUALS || code === COLON || code === QUOTE || code === APOSTROPHE;

/** Whether the quad starting at `start` is named a version (`version 1.2.3.4`, `"ver":"1.2.3.4"`). */
function namedVersion(text: string, start: number, from: number): boolean {
  let i = start;
  while (start - i < 4 && isVersionSeparator(codeBefore(text, i - 1, from))) i--;
  let wordStart = i;
  while (i - wordStart < 8 && isAsciiLetter(codeBefore(text, wordStart - 1, from))) wordStart--;
  const word = text.slice(wordStart, i).toLowerCase();
  return word.endsWith('version') || word === 'ver';
}

/**
 * Whether the port ending at `end` may be the first group of a number written with blanks (`415 555 0132`,
 * `1 (415) 555-0132`, `4111 1111 1111 1111`): a blank, then a digit or `(`. The phone detector takes a
 * group after an address and `:` for a boundary, but after a mask and `:` for a number; so such a port is
 * masked with its address, or a second pass of that detector would find a number the first left alone.
 */
function mayOpenNumber(text: string, end: number): boolean {
  const code = text.charCodeAt(end);
  const next = text.charCodeAt(end + 1);
  return (code === SPACE || code === TAB) && (isDigit(next) || next === 0x28);
}

/** The longest product name before a version, as in `HeadlessChrome/123.0.0.0`. */
const MAX_PRODUCT = 32;

const isProductChar = (code: number): boolean => isWordChar(code) || code === HYPHEN;

/** Characters a product name may follow: blanks, quotes, brackets and list or key separators. */
const isProductBoundary = (code: number): boolean =>
  code === SPACE ||
  code === TAB ||
  code === 0x0a || // \n
  code === 0x0d || // \r
  code === QUOTE ||
  code === APOSTROPHE ||
  code === 0x60 || // `
  code === 0x28 || // (
  code === 0x29 || // )
  code === 0x5b || // [
  code === 0x7b || // {
  code === COMMA ||
  code === 0x3b || // ;
  code === EQUALS ||
  code === 0x7c || // |
  code === 0x5c || // \
  code === 0x3c || // <
  code === 0x3e; // >

/**
 * Whether the quad starting at `start` is the version of a product (`Chrome/123.0.0.0`), under the rules
 * of the module comment. Text before `from` is masked and, like a mask on a second pass, is no boundary.
 */
function productVersion(text: string, start: number, from: number): boolean {
  if (codeBefore(text, start - 1, from) !== SLASH) return false;
  const nameEnd = start - 1;
  let nameStart = nameEnd;
  while (nameEnd - nameStart <= MAX_PRODUCT && isProductChar(codeBefore(text, nameStart - 1, from)))
    nameStart--;
  if (nameEnd - nameStart > MAX_PRODUCT || !isAsciiLetter(text.charCodeAt(nameStart))) return false;
  return nameStart === 0 || isProductBoundary(codeBefore(text, nameStart - 1, from));
}

/**
 * The IPv4 address (with its port only when the port may open a number) in the digits-and-dots stretch
 * `[start, end)` of the run `[runStart, runEnd)`, or undefined. `letters` is where the run's leading hex
 * letters end.
 */
function ipv4In(
  text: string,
  run: Span,
  stretch: Span,
  letters: number,
  from: number,
  glued: boolean,
): Span | undefined {
  const [runStart, runEnd] = run;
  const [start, end] = stretch;
  if (start === runStart) {
    if (glued || !freeBefore(text, start, from)) return undefined;
  } else if (text.charCodeAt(start - 1) !== COLON || letters !== start - 1) {
    // Glued to a hex letter, or after a colon that follows digits (a clock time, an IPv6 group).
    return undefined;
  }
  let quadEnd = end;
  if (text.charCodeAt(end - 1) === DOT) {
    if (end !== runEnd) return undefined;
    quadEnd = end - 1;
  }
  if (!isIpv4(text, start, quadEnd) || namedVersion(text, start, from) || productVersion(text, start, from)) {
    return undefined;
  }
  if (quadEnd < end) return isWordChar(text.charCodeAt(runEnd)) ? undefined : [start, quadEnd];
  if (end === runEnd) return freeAfter(text, end) ? [start, end] : undefined;
  if (text.charCodeAt(end) !== COLON) return undefined;
  if (end + 1 === runEnd) return isWordChar(text.charCodeAt(runEnd)) ? undefined : [start, end];
  // A port: one to five digits, to the end of the run or a final `.`. It stays visible, unless it may
  // open a number.
  let portEnd = runEnd;
  if (text.charCodeAt(runEnd - 1) === DOT) {
    if (isWordChar(text.charCodeAt(runEnd))) return undefined;
    portEnd--;
  }
  if (!isPort(text, end, portEnd) || !freeAfter(text, portEnd)) return undefined;
  return mayOpenNumber(text, portEnd) ? [start, portEnd] : [start, end];
}

/** The first address in the run `[start, end)`, or undefined. */
function addressIn(text: string, start: number, end: number, from: number, colon: boolean): Span | undefined {
  const glued = isWordChar(codeBefore(text, start - 1, from));
  if (colon && !glued && end - start <= MAX_ADDRESS + 1) {
    let addressEnd = end;
    const last = text.charCodeAt(end - 1);
    if (last === DOT || (last === COLON && text.charCodeAt(end - 2) !== COLON)) addressEnd--;
    if (isIpv6(text, start, addressEnd) && freeBefore(text, start, from) && freeAfter(text, addressEnd)) {
      return [start, addressEnd];
    }
  }
  let letters = start;
  while (letters < end && isHexLetter(text.charCodeAt(letters))) letters++;
  let i = letters;
  while (i < end) {
    if (!isDigit(text.charCodeAt(i))) {
      i++;
      continue;
    }
    let stretchEnd = i;
    while (
      stretchEnd < end &&
      (isDigit(text.charCodeAt(stretchEnd)) || text.charCodeAt(stretchEnd) === DOT)
    ) {
      stretchEnd++;
    }
    const span = ipv4In(text, [start, end], [i, stretchEnd], letters, from, glued);
    if (span !== undefined) return span;
    i = stretchEnd;
  }
  return undefined;
}

function findIpAddress(text: string, from: number): Span | undefined {
  let i = from;
  while (i < text.length) {
    if (!isAddressChar(text.charCodeAt(i))) {
      i++;
      continue;
    }
    let end = i;
    let colon = false;
    let dot = false;
    for (let code = text.charCodeAt(end); isAddressChar(code); code = text.charCodeAt(++end)) {
      if (code === COLON) colon = true;
      else if (code === DOT) dot = true;
    }
    if (colon || dot) {
      const span = addressIn(text, i, end, from, colon);
      if (span !== undefined) return span;
    }
    i = end;
  }
  return undefined;
}

/** Detects IPv4 and IPv6 addresses such as `203.0.113.7`, `2001:db8::8a2e:370:7334` or `::ffff:192.0.2.1`. */
export const ipAddressDetector: Detector = scanDetector(
  'ipAddress',
  findIpAddress,
  3, // IPv6 compressed with one group, `::1` or `1::`; the shortest IPv4, `0.0.0.0`, is 7
);

/**
 * The labelled corpus of bench/detectors, generated from a seeded PRNG: the same seed gives the same
 * corpus, byte for byte, on every run and every machine. Nothing here is copied from elsewhere: every
 * value is built from its definition (Luhn, ISO 13616 mod-97, SSA issued ranges, base64 of real JSON or
 * DER-shaped bytes) and every surrounding text from small word lists written for this file.
 */
import { Buffer } from 'node:buffer';

/** The detector names this corpus labels, in the order the table prints them. */
export const DETECTOR_NAMES = [
  'email',
  'creditCard',
  'usSsn',
  'awsAccessKeyId',
  'awsSecretAccessKey',
  'jwt',
  'bearerToken',
  'iban',
  'phone',
  'ipAddress',
  'privateKey',
  'stripeKey',
  'githubToken',
  'slackToken',
  'gcpApiKey',
  'basicAuth',
] as const;

export type DetectorKey = (typeof DETECTOR_NAMES)[number];

/** A text holding exactly one planted value of its detector's type at `[start, end)`. */
export interface Positive {
  text: string;
  start: number;
  end: number;
  /** How the value was written and embedded, e.g. `card dots · json`. */
  kind: string;
}

/** A text holding no value of its detector's type. */
export interface Negative {
  text: string;
  kind: string;
}

export interface DetectorCorpus {
  name: DetectorKey;
  positives: Positive[];
  /** Look-alikes of this type only (the generic look-alikes and the shared pool are kept apart). */
  hardNegatives: Negative[];
}

export interface Corpus {
  seed: number;
  detectors: DetectorCorpus[];
  /** Look-alikes of many types at once (UUIDs, dates, hashes, versions…): a hard negative for every detector. */
  lookAlikes: Negative[];
  /** Realistic text without any sensitive value: a negative for every detector. */
  shared: Negative[];
}

export interface CorpusOptions {
  seed?: number;
  positives?: number;
  hardNegatives?: number;
  lookAlikes?: number;
  shared?: number;
  /**
   * Whether `sk_test_`/`rk_test_` keys go in as stripeKey hard negatives. Only when the stripeKey
   * detector's own rules say test-mode keys are not to be masked; otherwise they are left out entirely.
   */
  stripeTestKeysAreNegatives?: boolean;
}

// ---------------------------------------------------------------------------------------------------------
// Randomness

/** mulberry32: a 32-bit state, a period of 2^32, and the same sequence for the same seed everywhere. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Random {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  float(): number {
    return this.next();
  }

  /** An integer in `[min, max]`. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Picks by weight: `[[weight, value], …]`. */
  weighted<T>(items: readonly (readonly [number, T])[]): T {
    const total = items.reduce((n, [w]) => n + w, 0);
    let x = this.next() * total;
    for (const [w, v] of items) {
      x -= w;
      if (x < 0) return v;
    }
    return items[items.length - 1][1];
  }

  chars(alphabet: string, n: number): string {
    let out = '';
    for (let i = 0; i < n; i++) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }

  digits(n: number): string {
    return this.chars(DIGITS, n);
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.floor(this.next() * 256);
    return out;
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Alphabets and word lists (written for this file)

const DIGITS = '0123456789';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const ALNUM = UPPER + LOWER + DIGITS;
const UPPER_ALNUM = UPPER + DIGITS;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const HEX = '0123456789abcdef';
const B64URL = `${ALNUM}-_`;
const B64 = `${ALNUM}+/`;

// biome-ignore format: a word list reads best packed
const FIRST = [
  'jane', 'john', 'maria', 'ahmed', 'wei', 'olga', 'pierre', 'sofia', 'kenji', 'amara', 'lucas', 'fatima',
  'noah', 'emma', 'raj', 'chloe', 'mateo', 'ines', 'oliver', 'yuki', 'hannah', 'diego', 'leila', 'tom',
  'anna', 'ivan', 'grace', 'omar', 'nina', 'paulo',
];
// biome-ignore format: a word list reads best packed
const LAST = [
  'doe', 'smith', 'garcia', 'khan', 'chen', 'ivanova', 'martin', 'rossi', 'tanaka', 'okafor', 'silva',
  'nguyen', 'mueller', 'dubois', 'patel', 'kowalski', 'jensen', 'haddad', 'obrien', 'schmidt', 'moreau',
  'costa', 'novak', 'lindqvist', 'murphy', 'fischer', 'lopez', 'sato', 'ward', 'berg',
];
// biome-ignore format: a word list reads best packed
const COMPANY = [
  'acme', 'globex', 'initech', 'northwind', 'contoso', 'fabrikam', 'tailspin', 'wingtip', 'litware',
  'adatum', 'proseware', 'bluesky', 'riverbank', 'greenleaf', 'ironbridge', 'silverline', 'quickcart',
  'brightpath', 'cloudnine', 'harbourlight',
];
// biome-ignore format: a word list reads best packed
const TLDS = [
  'com', 'com', 'com', 'io', 'org', 'net', 'dev', 'co.uk', 'de', 'fr', 'com.au', 'co.jp', 'nl', 'es',
];
// biome-ignore format: a word list reads best packed
const SERVICES = [
  'orders', 'billing', 'checkout', 'inventory', 'notifications', 'auth', 'search', 'payments',
];
// biome-ignore format: a word list reads best packed
const NOUNS = [
  'order', 'invoice', 'shipment', 'refund', 'report', 'export', 'session', 'cart', 'ticket', 'batch',
  'subscription', 'payment', 'reservation', 'upload', 'backup', 'profile',
];
// biome-ignore format: a word list reads best packed
const VERBS = [
  'processed', 'created', 'updated', 'cancelled', 'queued', 'shipped', 'archived', 'approved', 'rejected',
  'retried', 'scheduled', 'delivered',
];
// biome-ignore format: a word list reads best packed
const ADJECTIVES = [
  'nightly', 'weekly', 'pending', 'priority', 'delayed', 'partial', 'final', 'manual', 'automatic',
  'recurring', 'large', 'first',
];
// biome-ignore format: a word list reads best packed
const CITIES = [
  'London', 'Paris', 'Berlin', 'Madrid', 'Tokyo', 'Sydney', 'Toronto', 'Lisbon', 'Dublin', 'Austin',
];
// biome-ignore format: a word list reads best packed
const PRODUCTS = [
  'blue cotton t-shirt', 'wireless mouse', 'coffee beans 1kg', 'standing desk', 'usb-c cable',
  'running shoes', 'desk lamp', 'notebook A5', 'water bottle', 'rain jacket',
];
// biome-ignore format: a word list reads best packed
const STATUSES = [
  'pending', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded', 'failed', 'active',
];
// biome-ignore format: a word list reads best packed
const PATHS = [
  '/v1/orders', '/v1/customers', '/api/cart/items', '/v2/invoices', '/search', '/v1/refunds',
];
// biome-ignore format: a word list reads best packed
const LEVELS = [
  'INFO', 'INFO', 'INFO', 'WARN', 'ERROR', 'DEBUG',
];
// biome-ignore format: a word list reads best packed
const REGIONS = [
  'eu-west-1', 'us-east-1', 'us-west-2', 'ap-southeast-2', 'eu-central-1',
];
// biome-ignore format: a word list reads best packed
const CURRENCIES = [
  'EUR', 'USD', 'GBP', 'JPY', 'CHF',
];

// ---------------------------------------------------------------------------------------------------------
// Small pieces of realistic text

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function isoTimestamp(r: Random): string {
  return `2026-${pad(r.int(1, 12))}-${pad(r.int(1, 28))}T${pad(r.int(0, 23))}:${pad(r.int(0, 59))}:${pad(r.int(0, 59))}.${pad(r.int(0, 999), 3)}Z`;
}

function uuid(r: Random): string {
  const h = (n: number) => r.chars(HEX, n);
  return `${h(8)}-${h(4)}-4${h(3)}-${r.pick(['8', '9', 'a', 'b'])}${h(3)}-${h(12)}`;
}

function personName(r: Random): [string, string] {
  return [r.pick(FIRST), r.pick(LAST)];
}

const capital = (s: string) => s[0].toUpperCase() + s.slice(1);

function host(r: Random): string {
  return `${r.pick(['api', 'app', 'www', 'shop', 'portal', 'status'])}.${r.pick(COMPANY)}.${r.pick(TLDS)}`;
}

function amount(r: Random): string {
  return `${r.int(1, 999)}.${pad(r.int(0, 99))}`;
}

/** A clause without any sensitive value: "the nightly export for Berlin was queued". */
function clause(r: Random): string {
  return r.pick([
    () => `the ${r.pick(ADJECTIVES)} ${r.pick(NOUNS)} for ${r.pick(CITIES)} was ${r.pick(VERBS)}`,
    () => `${r.int(2, 480)} items were ${r.pick(VERBS)} in ${r.int(2, 59)} seconds`,
    () => `${capital(r.pick(FIRST))} ${r.pick(VERBS)} the ${r.pick(NOUNS)} yesterday`,
    () => `the ${r.pick(PRODUCTS)} is back in stock`,
    () => `your ${r.pick(NOUNS)} total is ${r.pick(['€', '$', '£'])}${amount(r)}`,
    () => `the ${r.pick(SERVICES)} service answered in ${r.int(3, 900)} ms`,
  ])();
}

/** A random selection of harmless JSON fields. */
function fillerFields(r: Random): Record<string, unknown> {
  const all: [string, () => unknown][] = [
    ['orderId', () => `ord-${r.chars(LOWER + DIGITS, 10)}`],
    ['status', () => r.pick(STATUSES)],
    ['amount', () => Number(amount(r))],
    ['currency', () => r.pick(CURRENCIES)],
    ['createdAt', () => isoTimestamp(r)],
    ['requestId', () => uuid(r)],
    ['tenant', () => `tenant-${r.int(1, 40)}`],
    ['region', () => r.pick(REGIONS)],
    ['retries', () => r.int(0, 5)],
    ['note', () => capital(clause(r))],
    ['items', () => [{ sku: `SKU-${r.int(100, 9999)}`, quantity: r.int(1, 9), name: r.pick(PRODUCTS) }]],
  ];
  const out: Record<string, unknown> = {};
  for (const [key, make] of r.shuffle(all).slice(0, r.int(2, 4))) out[key] = make();
  return out;
}

export const SLOT = '\u00a7V\u00a7';

const jsonEscape = (value: string) => JSON.stringify(value).slice(1, -1);

/** A JSON document (one line or pretty-printed) with the slot as one string field among harmless ones. */
function jsonDoc(r: Random, key: string, wrap?: (inner: Record<string, unknown>) => unknown): string {
  const fields = fillerFields(r);
  const keys = Object.keys(fields);
  const position = r.int(0, keys.length);
  const inner: Record<string, unknown> = {};
  keys.forEach((k, i) => {
    if (i === position) inner[key] = SLOT;
    inner[k] = fields[k];
  });
  if (position === keys.length) inner[key] = SLOT;
  const doc = wrap ? wrap(inner) : inner;
  return r.chance(0.3) ? JSON.stringify(doc, null, 2) : JSON.stringify(doc);
}

function logLine(r: Random, message: string): string {
  const tail = r.pick([
    () => ` requestId=${uuid(r)}`,
    () => ` durationMs=${r.int(1, 2000)}`,
    () => ` status=${r.pick([200, 201, 400, 401, 403, 500])} durationMs=${r.int(1, 900)}`,
    () => '',
  ])();
  return `${isoTimestamp(r)} ${r.pick(LEVELS)} [${r.pick(SERVICES)}] ${message}${tail}`;
}

function url(r: Random, param: string): string {
  const before = r.chance(0.5) ? `page=${r.int(1, 9)}&` : '';
  const after = r.chance(0.5) ? `&lang=${r.pick(['en-GB', 'fr', 'de', 'en-US'])}` : '';
  return `https://${host(r)}${r.pick(PATHS)}?${before}${param}=${SLOT}${after}`;
}

function sentence(r: Random, lead: string, trail = ''): string {
  const intro = r.chance(0.5) ? `${capital(clause(r))}; ` : '';
  const lead2 = intro === '' ? capital(lead) : lead;
  const end = r.chance(0.5) ? `${trail}, and ${clause(r)}.` : `${trail}.`;
  return `${intro}${lead2} ${SLOT}${end}`;
}

/** Fills the slot of `template` with `encoded` (the value as written there: JSON- or URL-escaped). */
function plant(kind: string, template: string, encoded: string): Positive {
  const at = template.indexOf(SLOT);
  if (at === -1 || template.indexOf(SLOT, at + 1) !== -1) throw new Error(`bad template for ${kind}`);
  return {
    text: template.slice(0, at) + encoded + template.slice(at + SLOT.length),
    start: at,
    end: at + encoded.length,
    kind,
  };
}

/** A shape: writes the value into some realistic text. */
type Shape = (r: Random, value: string) => Positive;

const raw =
  (name: string, template: (r: Random) => string): Shape =>
  (r, value) =>
    plant(name, template(r), value);

/** The value as a string field of a JSON document; `keys` are the field names to pick from. */
const json =
  (keys: string | readonly string[], wrap?: (inner: Record<string, unknown>) => unknown): Shape =>
  (r, value) =>
    plant('json', jsonDoc(r, typeof keys === 'string' ? keys : r.pick(keys), wrap), jsonEscape(value));

/** The value inside a string of a fixed JSON document (a header value, say) written around the slot. */
const jsonAround =
  (name: string, doc: (r: Random) => unknown): Shape =>
  (r, value) =>
    plant(name, JSON.stringify(doc(r)), jsonEscape(value));

/** A negative built by filling the slot of a template. */
const fill = (template: string, value: string) => template.replace(SLOT, () => value);

/** The same value embedded in the shapes that suit its type, one chosen at random per sample. */
function embedAll(r: Random, n: number, make: (r: Random) => [string, string], shapes: Shape[]): Positive[] {
  const out: Positive[] = [];
  for (let i = 0; i < n; i++) {
    const [variant, value] = make(r);
    const p = r.pick(shapes)(r, value);
    p.kind = `${variant} · ${p.kind}`;
    out.push(p);
  }
  return out;
}

/** Negatives: `n` samples drawn from the generators, each generator picked with equal chance. */
function draw(r: Random, n: number, generators: [string, (r: Random) => string][]): Negative[] {
  const out: Negative[] = [];
  for (let i = 0; i < n; i++) {
    const [kind, make] = r.pick(generators);
    out.push({ kind, text: make(r) });
  }
  return out;
}

/** Wraps a bare look-alike into one of the usual shapes, so negatives look like positives around the value. */
function around(r: Random, label: string, value: string): string {
  return r.pick([
    () => fill(sentence(r, r.pick([`the ${label} is`, `see ${label}`, `${label}:`])), value),
    () =>
      fill(
        jsonDoc(
          r,
          label.replace(/\s+(\w)/g, (_, c: string) => c.toUpperCase()),
        ),
        jsonEscape(value),
      ),
    () => fill(logLine(r, `${label.replace(/\s+/g, '_')}=${SLOT}`), value),
  ])();
}

// ---------------------------------------------------------------------------------------------------------
// Check digits

function luhnCheckDigit(payload: string): number {
  let sum = 0;
  let double = true;
  for (let i = payload.length - 1; i >= 0; i--) {
    let d = payload.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return (10 - (sum % 10)) % 10;
}

export function luhnValid(number: string): boolean {
  return luhnCheckDigit(number.slice(0, -1)) === number.charCodeAt(number.length - 1) - 48;
}

/** ISO 7064 mod 97-10 over an IBAN rearranged (country and check digits moved to the end), letters as 10–35. */
function mod97(s: string): number {
  let rem = 0;
  for (const ch of s) {
    const code = ch.charCodeAt(0);
    const v = code >= 65 ? String(code - 55) : ch;
    for (const d of v) rem = (rem * 10 + (d.charCodeAt(0) - 48)) % 97;
  }
  return rem;
}

function ibanCheckDigits(country: string, bban: string): string {
  return pad(98 - mod97(`${bban}${country}00`));
}

export function ibanValid(iban: string): boolean {
  return mod97(iban.slice(4) + iban.slice(0, 4)) === 1;
}

// ---------------------------------------------------------------------------------------------------------
// email

const TAGS = ['news', 'billing', 'work', 'shop', 'test2'];

function emailAddress(r: Random): string {
  const [first, last] = personName(r);
  const local = r.pick([
    () => `${first}.${last}`,
    () => `${first}_${last}`,
    () => `${first[0]}${last}`,
    () => `${first}${r.int(1, 99)}`,
    () => `${first}.${last}+${r.pick(TAGS)}`,
    () => `${last}-${first}`,
    () => `${r.pick(['support', 'billing', 'hr', 'no-reply', 'team'])}`,
  ])();
  const sub = r.chance(0.2) ? `${r.pick(['mail', 'eu', 'corp', 'staff', 'mail2', 'eu-1'])}.` : '';
  const address = `${local}@${sub}${r.pick(COMPANY)}${r.chance(0.2) ? `-${r.pick(['group', 'labs', 'uk'])}` : ''}.${r.pick(TLDS)}`;
  return r.chance(0.1) ? capital(address) : address;
}

function emailCorpus(r: Random, n: number, nNeg: number): [Positive[], Negative[]] {
  const shapes: Shape[] = [
    raw('sentence', (r) => sentence(r, r.pick(['please contact', 'reply to', 'the invoice was sent to']))),
    json(['email', 'contactEmail', 'user']),
    raw('log', (r) => logLine(r, `login succeeded user=${SLOT}`)),
    raw(
      'header',
      (r) =>
        `${r.pick(['From', 'Reply-To', 'To'])}: ${capital(r.pick(FIRST))} ${capital(r.pick(LAST))} <${SLOT}>`,
    ),
    raw('mailto', () => `<a href="mailto:${SLOT}">Write to us</a>`),
  ];
  const plain = embedAll(r, Math.round(n * 0.8), (r) => ['plain', emailAddress(r)], shapes);
  // URL-encoded in a query string: `jane%40example.com` is the address as the server logs it.
  const encoded: Positive[] = [];
  for (let i = plain.length; i < n; i++) {
    const value = encodeURIComponent(emailAddress(r));
    encoded.push(plant('url-encoded · url', url(r, r.pick(['email', 'invite', 'recipient'])), value));
  }
  const negatives = draw(r, nNeg, [
    [
      'npm package@version',
      (r) =>
        around(
          r,
          'dependency',
          `${r.pick(['lodash', 'react', '@middy/core', 'express', 'zod'])}@${r.int(1, 20)}.${r.int(0, 30)}.${r.int(0, 9)}`,
        ),
    ],
    [
      'retina asset name@2x.png',
      (r) =>
        around(
          r,
          'icon',
          `${r.pick(['logo', 'avatar', 'banner', 'icon-cart'])}@${r.pick(['2x', '3x'])}.${r.pick(['png', 'jpg', 'webp'])}`,
        ),
    ],
    [
      'image@sha256 digest',
      (r) =>
        around(
          r,
          'image',
          `${r.pick(['nginx', 'node', 'public.ecr.aws/lambda/nodejs'])}@sha256:${r.chars(HEX, 64)}`,
        ),
    ],
    [
      '@handle mention',
      (r) => `Thanks @${r.pick(FIRST)}_${r.pick(LAST)} for the ${r.pick(NOUNS)} review, merged.`,
    ],
    [
      'css @media',
      (r) => `@media (max-width: ${r.int(320, 1200)}px) { .${r.pick(NOUNS)} { display: none; } }`,
    ],
    ['at-sign price', (r) => `${r.int(2, 12)} x ${r.pick(PRODUCTS)} @ $${amount(r)} each`],
    [
      'at-sign time',
      (r) => `Stand-up moved @ ${r.int(9, 17)}:${r.pick(['00', '15', '30'])} in room ${r.int(1, 9)}.`,
    ],
    [
      'decorator',
      (r) =>
        `@${r.pick(['Injectable', 'Component', 'Controller'])}({ providedIn: '${r.pick(['root', 'any'])}' })`,
    ],
    [
      'url-encoded at without local part',
      (r) => `https://${host(r)}/search?q=%40${r.pick(NOUNS)}&page=${r.int(1, 9)}`,
    ],
  ]);
  return [[...plain, ...encoded], negatives];
}

// ---------------------------------------------------------------------------------------------------------
// creditCard

interface Brand {
  name: string;
  prefix: (r: Random) => string;
  lengths: number[];
}

const BRANDS: Brand[] = [
  { name: 'visa', prefix: () => '4', lengths: [16, 16, 16, 16, 13, 19] },
  { name: 'mastercard', prefix: (r) => String(r.int(51, 55)), lengths: [16] },
  { name: 'mastercard-2', prefix: (r) => String(r.int(2221, 2720)), lengths: [16] },
  { name: 'amex', prefix: (r) => r.pick(['34', '37']), lengths: [15] },
  { name: 'discover', prefix: (r) => r.pick(['6011', '65', String(r.int(644, 649))]), lengths: [16, 16, 19] },
  { name: 'diners', prefix: (r) => r.pick(['36', String(r.int(300, 305)), '38']), lengths: [14] },
  { name: 'jcb', prefix: (r) => String(r.int(3528, 3589)), lengths: [16] },
  { name: 'unionpay', prefix: () => '62', lengths: [16, 17, 18, 19] },
  { name: 'maestro', prefix: (r) => r.pick(['5018', '5020', '6304', '6759']), lengths: [16, 18, 19] },
];

function cardDigits(r: Random, brand: Brand): string {
  const length = r.pick(brand.lengths);
  const prefix = brand.prefix(r);
  const body = prefix + r.digits(length - 1 - prefix.length);
  return body + luhnCheckDigit(body);
}

/** How card numbers are printed by length; other lengths are written without separators. */
const CARD_LAYOUT: Record<number, number[]> = {
  14: [4, 6, 4],
  15: [4, 6, 5],
  16: [4, 4, 4, 4],
  19: [4, 4, 4, 4, 3],
};

function groupDigits(digits: string, layout: number[], separator: string): string {
  const parts: string[] = [];
  let at = 0;
  for (const n of layout) {
    parts.push(digits.slice(at, at + n));
    at += n;
  }
  return parts.join(separator);
}

function writeCard(r: Random, digits: string): [string, string] {
  const layout = CARD_LAYOUT[digits.length];
  if (layout === undefined) return ['compact', digits];
  const [name, separator] = r.weighted([
    [35, ['compact', '']],
    [35, ['spaces', ' ']],
    [15, ['dashes', '-']],
    [15, ['dots', '.']],
  ] as const);
  return [name, separator === '' ? digits : groupDigits(digits, layout, separator)];
}

function cardCorpus(r: Random, n: number, nNeg: number): [Positive[], Negative[]] {
  const shapes: Shape[] = [
    raw('sentence', (r) => sentence(r, r.pick(['please charge the card', 'card number', 'I paid with']))),
    raw(
      'sentence + expiry',
      (r) =>
        `Card ${SLOT} exp ${pad(r.int(1, 12))}/${r.int(27, 33)} cvc ${r.digits(3)}, holder ${capital(r.pick(FIRST))} ${capital(r.pick(LAST))}.`,
    ),
    json(['cardNumber', 'pan', 'card']),
    jsonAround('json nested', (r) => ({
      orderId: `ord-${r.digits(8)}`,
      payment: { method: 'card', card: { number: SLOT, expiry: `${pad(r.int(1, 12))}/${r.int(27, 33)}` } },
    })),
    raw('log', (r) => logLine(r, `payment declined pan=${SLOT} reason=insufficient_funds`)),
    raw('header', () => `X-Card-Number: ${SLOT}`),
  ];
  const positives: Positive[] = [];
  for (let i = 0; i < n; i++) {
    const brand = r.pick(BRANDS);
    const digits = cardDigits(r, brand);
    if (!luhnValid(digits)) throw new Error(`bench/detector-corpus: ${digits} fails Luhn`);
    const [style, written] = writeCard(r, digits);
    // A URL can only carry the compact form without escaping.
    const p =
      style === 'compact' && r.chance(0.15)
        ? plant('url', url(r, r.pick(['card', 'pan'])), written)
        : r.pick(shapes)(r, written);
    p.kind = `${brand.name} ${digits.length} ${style} · ${p.kind}`;
    positives.push(p);
  }
  const luhnInvalid = (r: Random): string => {
    const digits = cardDigits(r, r.pick(BRANDS));
    const last = (digits.charCodeAt(digits.length - 1) - 48 + r.int(1, 9)) % 10;
    return writeCard(r, digits.slice(0, -1) + last)[1];
  };
  const negatives = draw(r, nNeg, [
    ['Luhn-invalid card-shaped number', (r) => around(r, 'card number', luhnInvalid(r))],
    ['Luhn-invalid card-shaped number', (r) => around(r, 'reference', luhnInvalid(r))],
    [
      '13-digit ms timestamp',
      (r) => around(r, 'timestamp', String(r.int(1_600_000_000_000, 1_900_000_000_000))),
    ],
    [
      'float with 16 decimals',
      (r) => logLine(r, `model score=0.${r.digits(16)} threshold=0.${r.int(50, 95)}`),
    ],
    [
      'price',
      (r) =>
        around(
          r,
          'total',
          r.pick([`$${r.int(1, 9)},${r.digits(3)}.${r.digits(2)}`, `${r.int(1000, 9999)}.${r.digits(2)}`]),
        ),
    ],
    [
      'USPS tracking grouped',
      (r) =>
        around(
          r,
          'tracking number',
          groupDigits(`${r.pick(['9400', '9205', '9361', '9407'])}${r.digits(18)}`, [4, 4, 4, 4, 4, 2], ' '),
        ),
    ],
    ['digit run longer than 19', (r) => around(r, 'batch id', `${r.int(2, 6)}${r.digits(r.int(20, 26))}`)],
    [
      'grouped short numbers',
      (r) =>
        `Pages ${r.int(1000, 4999)} ${r.int(1000, 4999)} ${r.int(100, 999)} and ${r.int(10, 99)} of the ${r.pick(NOUNS)} archive.`,
    ],
    [
      'card number with a masked middle',
      (r) => around(r, 'card', `${r.pick(['4', '5', '6'])}${r.digits(3)} **** **** ${r.digits(4)}`),
    ],
  ]);
  return [positives, negatives];
}

// ---------------------------------------------------------------------------------------------------------
// usSsn

function ssnParts(r: Random): [number, number, number] {
  let area = r.int(1, 899);
  while (area === 666) area = r.int(1, 899);
  return [area, r.int(1, 99), r.int(1, 9999)];
}

const writeSsn = ([a, g, s]: number[], separator: string) =>
  `${pad(a, 3)}${separator}${pad(g)}${separator}${pad(s, 4)}`;

function ssnCorpus(r: Random, n: number, nNeg: number): [Positive[], Negative[]] {
  const shapes: Shape[] = [
    raw('sentence', (r) =>
      sentence(r, r.pick(['my social security number is', 'SSN', 'the applicant gave SSN'])),
    ),
    json(['ssn', 'socialSecurityNumber', 'taxId']),
    raw('log', (r) => logLine(r, `identity check passed ssn=${SLOT}`)),
    raw(
      'form',
      (r) =>
        `Name: ${capital(r.pick(FIRST))} ${capital(r.pick(LAST))}\nSocial Security Number: ${SLOT}\nDate of birth: ${pad(r.int(1, 12))}/${pad(r.int(1, 28))}/${r.int(1940, 2004)}`,
    ),
  ];
  const positives: Positive[] = [];
  for (let i = 0; i < n; i++) {
    const dash = r.chance(0.8);
    const value = writeSsn(ssnParts(r), dash ? '-' : ' ');
    // A query string carries the dashed form as is; spaces would have to be escaped.
    const p = dash && r.chance(0.12) ? plant('url', url(r, 'ssn'), value) : r.pick(shapes)(r, value);
    p.kind = `${dash ? 'dashes' : 'spaces'} · ${p.kind}`;
    positives.push(p);
  }
  const unissued = (r: Random): string => {
    const [a, g, s] = ssnParts(r);
    // Never issued: area 000, 666 or 900-999 (groups kept below 50, off the ITIN ranges), group 00, serial 0000.
    const parts = r.pick([
      () => [0, g, s],
      () => [666, g, s],
      () => [r.int(900, 999), r.int(1, 49), s],
      () => [a, 0, s],
      () => [a, g, 0],
    ])();
    return writeSsn(parts, r.chance(0.8) ? '-' : ' ');
  };
  const negatives = draw(r, nNeg, [
    ['unissued SSN-shaped number', (r) => around(r, 'SSN', unissued(r))],
    ['unissued SSN-shaped number', (r) => around(r, 'id', unissued(r))],
    ['NANP-shaped 3-3-4', (r) => around(r, 'part number', `${r.digits(3)}-${r.digits(3)}-${r.digits(4)}`)],
    [
      'ZIP+4',
      (r) =>
        `${r.pick(['Austin, TX', 'Denver, CO', 'Columbus, OH', 'Portland, OR'])} ${r.digits(5)}-${r.digits(4)}, USA`,
    ],
    [
      '3-2-5 or 3-2-3 reference',
      (r) => around(r, 'reference', `${r.digits(3)}-${r.digits(2)}-${r.digits(r.pick([3, 5]))}`),
    ],
    ['4-2-4 case number', (r) => around(r, 'case', `${r.int(2019, 2026)}-${r.digits(2)}-${r.digits(4)}`)],
    ['2-3-4 account', (r) => around(r, 'account', `${r.digits(2)}-${r.digits(3)}-${r.digits(4)}`)],
    [
      'SSN-shaped inside a longer number',
      (r) => around(r, 'serial', `${r.digits(3)}-${r.digits(2)}-${r.digits(4)}-${r.digits(2)}`),
    ],
  ]);
  return [positives, negatives];
}

// ---------------------------------------------------------------------------------------------------------
// AWS keys

/** The access key ids and secret of the AWS documentation: not anyone's credentials. */
const AWS_EXAMPLE_KEY_IDS = ['AKIAIOSFODNN7EXAMPLE', 'AKIAI44QH8DHBEXAMPLE'];
const AWS_EXAMPLE_SECRETS = [
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY',
];

function accessKeyId(
  r: Random,
  prefix = r.weighted([
    [70, 'AKIA'],
    [30, 'ASIA'],
  ] as const),
): string {
  let id = prefix + r.chars(BASE32, 16);
  while (id.endsWith('EXAMPLE')) id = prefix + r.chars(BASE32, 16);
  return id;
}

const yyyymmdd = (r: Random) => `2026${pad(r.int(1, 12))}${pad(r.int(1, 28))}`;

const keyIdShapes: Shape[] = [
  raw(
    'credentials file',
    (r) => `[${r.pick(['default', 'prod', 'ci'])}]\naws_access_key_id = ${SLOT}\nregion = ${r.pick(REGIONS)}`,
  ),
  raw('env', () => `export AWS_ACCESS_KEY_ID=${SLOT}`),
  json('AccessKeyId', (inner) => ({ Credentials: inner })),
  raw(
    'sigv4 header',
    (r) =>
      `Authorization: AWS4-HMAC-SHA256 Credential=${SLOT}/${yyyymmdd(r)}/${r.pick(REGIONS)}/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=${r.chars(HEX, 64)}`,
  ),
  raw(
    'presigned url',
    (r) =>
      `https://${r.pick(COMPANY)}-uploads.s3.${r.pick(REGIONS)}.amazonaws.com/report.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${SLOT}%2F${yyyymmdd(r)}%2F${r.pick(REGIONS)}%2Fs3%2Faws4_request&X-Amz-Expires=900`,
  ),
  raw('log', (r) => logLine(r, `assumed role session accessKeyId=${SLOT}`)),
  raw('sentence', (r) => sentence(r, r.pick(['please rotate the access key', 'the leaked key id is']))),
];

function awsKeyIdCorpus(r: Random, n: number, nNeg: number): [Positive[], Negative[]] {
  const positives = embedAll(
    r,
    n,
    (r) => {
      const id = accessKeyId(r);
      return [id.slice(0, 4), id];
    },
    keyIdShapes,
  );
  const asPositive = (r: Random, value: string) => r.pick(keyIdShapes)(r, value).text;
  const negatives = draw(r, nNeg, [
    ['AWS documentation example key id', (r) => asPositive(r, r.pick(AWS_EXAMPLE_KEY_IDS))],
    ['AWS documentation example key id', (r) => asPositive(r, r.pick(AWS_EXAMPLE_KEY_IDS))],
    [
      'IAM unique id (AIDA/AROA/ANPA…, not a credential)',
      (r) =>
        fill(
          jsonDoc(r, r.pick(['UserId', 'RoleId', 'PolicyId'])),
          `${r.pick(['AIDA', 'AROA', 'ANPA', 'AGPA', 'AIPA'])}${r.chars(BASE32, 17)}`,
        ),
    ],
    [
      'AKIA with the wrong length',
      (r) => around(r, 'key id', `AKIA${r.chars(BASE32, r.pick([14, 15, 17, 18]))}`),
    ],
    [
      'AKIA glued inside a longer token',
      (r) => around(r, 'token', `${r.chars(UPPER_ALNUM, r.int(2, 8))}AKIA${r.chars(BASE32, 16)}`),
    ],
    ['lower-case akia', (r) => around(r, 'id', `akia${r.chars(LOWER + DIGITS, 16)}`)],
  ]);
  return [positives, negatives];
}

function secretKey(r: Random): string {
  return r.chars(B64, 40);
}

const secretShapes: Shape[] = [
  raw(
    'credentials file',
    (r) =>
      `[${r.pick(['default', 'prod', 'ci'])}]\naws_access_key_id = ${accessKeyId(r)}\naws_secret_access_key = ${SLOT}`,
  ),
  raw('env', () => `export AWS_SECRET_ACCESS_KEY=${SLOT}`),
  raw('env file', () => `AWS_SECRET_ACCESS_KEY="${SLOT}"`),
  json('SecretAccessKey', (inner) => ({ Credentials: inner })),
  raw(
    'js object',
    () => `const client = new S3Client({ credentials: { accessKeyId, secretAccessKey: '${SLOT}' } });`,
  ),
  raw('yaml', () => `aws:\n  secret_access_key: ${SLOT}\n  region: eu-west-1`),
  raw('cli', () => `aws configure set aws_secret_access_key ${SLOT}`),
  raw('log', (r) => logLine(r, `loaded credentials aws_secret_access_key=${SLOT}`)),
  (r, value) =>
    plant(
      'json in a json string',
      JSON.stringify({
        body: fill(JSON.stringify({ SecretAccessKey: SLOT, Expiration: isoTimestamp(r) }), SLOT),
      }),
      jsonEscape(jsonEscape(value)),
    ),
];

function awsSecretCorpus(r: Random, n: number, nNeg: number): [Positive[], Negative[]] {
  const positives = embedAll(r, n, (r) => ['40 chars', secretKey(r)], secretShapes);
  const negatives = draw(r, nNeg, [
    ['AWS documentation example secret', (r) => r.pick(secretShapes)(r, r.pick(AWS_EXAMPLE_SECRETS)).text],
    ['git commit sha-1', (r) => logLine(r, `deploying commit=${r.chars(HEX, 40)} branch=main`)],
    ['40-char base64 without a secret name', (r) => around(r, 'etag', r.chars(B64, 40))],
    ['x-amz-id-2 header', (r) => `x-amz-id-2: ${r.chars(B64, 76)}=`],
    [
      'Secrets Manager ARN',
      (r) =>
        fill(
          jsonDoc(r, 'SecretId'),
          `arn:aws:secretsmanager:${r.pick(REGIONS)}:${r.digits(12)}:secret:prod/${r.pick(SERVICES)}/db-${r.chars(ALNUM, 6)}`,
        ),
    ],
    [
      'placeholder secret',
      (r) =>
        `aws_secret_access_key = ${r.pick([`\${AWS_SECRET_ACCESS_KEY}`, '<your-secret-key>', '****', 'REDACTED', ''])}`,
    ],
    [
      'secret name, not value',
      (r) => logLine(r, `fetched secret_name=prod/${r.pick(SERVICES)}/api version=${uuid(r)}`),
    ],
  ]);
  return [positives, negatives];
}

// ---------------------------------------------------------------------------------------------------------
// JWT and bearer tokens

const b64url = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url');

function jwt(r: Random): [string, string] {
  const kind = r.weighted([
    [40, 'HS256'],
    [30, 'RS256'],
    [15, 'ES256'],
    [8, 'none'],
    [7, 'JWE'],
  ] as const);
  const now = r.int(1_760_000_000, 1_800_000_000);
  const [first, last] = personName(r);
  const payload: Record<string, unknown> = {
    sub: r.chance(0.5) ? uuid(r) : String(r.int(1000, 999999)),
    iss: `https://auth.${r.pick(COMPANY)}.com/`,
    aud: r.pick(['api', 'web', `${r.pick(SERVICES)}-service`]),
    iat: now,
    exp: now + r.pick([300, 900, 3600, 86400]),
  };
  if (r.chance(0.4)) payload.name = `${capital(first)} ${capital(last)}`;
  if (r.chance(0.3)) payload.scope = r.pick(['read:orders', 'openid profile email', 'admin']);
  if (kind === 'JWE') {
    const header = b64url(JSON.stringify({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: r.chars(ALNUM, 8) }));
    return [
      kind,
      [
        header,
        b64url(r.bytes(256)),
        b64url(r.bytes(12)),
        b64url(r.bytes(r.int(80, 300))),
        b64url(r.bytes(16)),
      ].join('.'),
    ];
  }
  const header: Record<string, string> = { alg: kind, typ: 'JWT' };
  if (kind !== 'none' && r.chance(0.4)) header.kid = r.chars(`${ALNUM}-`, 16);
  const signature =
    kind === 'none' ? '' : b64url(r.bytes(kind === 'HS256' ? 32 : kind === 'ES256' ? 64 : 256));
  return [kind, `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}.${signature}`];
}

function jwtCorpus(r: Random, n: number, nNeg: number): [Positive[], Negative[]] {
  const shapes: Shape[] = [
    raw('authorization header', () => `Authorization: Bearer ${SLOT}`),
    raw('cookie', (r) => `Cookie: ${r.pick(['id_token', 'session', 'auth'])}=${SLOT}; theme=dark; lang=en`),
    json(['id_token', 'access_token', 'token']),
    raw(
      'url fragment',
      (r) => `https://${host(r)}/callback#access_token=${SLOT}&token_type=Bearer&expires_in=3600`,
    ),
    raw('log', (r) => logLine(r, `token verified token=${SLOT} kid=${r.chars(ALNUM, 8)}`)),
    raw('sentence', (r) => sentence(r, r.pick(['the token I got back is', 'decode this JWT:']))),
  ];
  const positives = embedAll(r, n, jwt, shapes);
  const cursor = (r: Random) => {
    const text = JSON.stringify({ id: uuid(r), createdAt: isoTimestamp(r), page: r.int(1, 90) });
    return r.chance(0.5) ? Buffer.from(text).toString('base64') : b64url(text);
  };
  const negatives = draw(r, nNeg, [
    [
      'base64 JSON pagination cursor (one segment)',
      (r) => fill(jsonDoc(r, r.pick(['nextToken', 'cursor', 'LastEvaluatedKey'])), cursor(r)),
    ],
    ['base64 JSON cursor in a URL', (r) => `https://${host(r)}/v1/orders?limit=50&cursor=${cursor(r)}`],
    [
      'base64 JSON cursor ending a sentence',
      (r) => `Resume the export from cursor ${cursor(r)}. Then ${clause(r)}.`,
    ],
    [
      'base64 JSON in a data URL',
      (r) =>
        `<a href="data:application/json;base64,${Buffer.from(JSON.stringify(fillerFields(r))).toString('base64')}">download</a>`,
    ],
    [
      'dotted identifiers',
      (r) =>
        `Loaded module ${r.pick(['com', 'org', 'io'])}.${r.pick(COMPANY)}.${r.pick(SERVICES)}.${capital(r.pick(NOUNS))}Handler in ${r.int(2, 90)} ms.`,
    ],
  ]);
  return [positives, negatives];
}

function opaqueToken(r: Random): [string, string] {
  return r.pick<() => [string, string]>([
    () => ['opaque base64url', r.chars(B64URL, r.int(24, 64))],
    () => ['google oauth ya29', `ya29.${r.chars(B64URL, r.int(120, 180))}`],
    () => ['hex', r.chars(HEX, r.pick([32, 40, 64]))],
    () => ['base64 with padding', `${Buffer.from(r.bytes(r.pick([31, 32, 46, 47]))).toString('base64')}`],
    () => ['dotted opaque', `${r.chars(ALNUM, 12)}.${r.chars(B64URL, 30)}~${r.chars(ALNUM, 6)}`],
    () => ['jwt', jwt(r)[1]],
  ])();
}

function bearerCorpus(r: Random, n: number, nNeg: number): [Positive[], Negative[]] {
  const shapes: Shape[] = [
    raw('authorization header', () => `Authorization: Bearer ${SLOT}`),
    raw('lower-case header', () => `authorization: bearer ${SLOT}`),
    jsonAround('json headers', (r) => ({
      method: 'GET',
      path: r.pick(PATHS),
      headers: { accept: 'application/json', Authorization: `Bearer ${SLOT}` },
    })),
    raw('curl', (r) => `curl -s -H 'Authorization: Bearer ${SLOT}' https://${host(r)}${r.pick(PATHS)}`),
    raw('log', (r) => logLine(r, `outgoing request auth="Bearer ${SLOT}" path=${r.pick(PATHS)}`)),
    raw('sentence', (r) =>
      sentence(r, r.pick(['call it with the header Authorization: Bearer', 'use Bearer'])),
    ),
  ];
  const positives = embedAll(r, n, opaqueToken, shapes);
  const negatives = draw(r, nNeg, [
    [
      'WWW-Authenticate challenge',
      (r) =>
        `WWW-Authenticate: Bearer realm="${r.pick(SERVICES)}", error="invalid_token", error_description="The access token expired"`,
    ],
    ['token_type Bearer', (r) => fill(jsonDoc(r, 'token_type'), r.pick(['Bearer', 'bearer']))],
    [
      'token_type in a query string',
      (r) =>
        `https://${host(r)}/cb?token_type=Bearer&expires_in=${r.pick([300, 3600])}&state=${r.chars(ALNUM, 8)}`,
    ],
    [
      'prose: bearer token',
      (r) =>
        logLine(
          r,
          `${r.pick(['Bearer token missing', 'Invalid bearer token', 'Bearer token expired', 'Bearer token rejected'])} for tenant-${r.int(1, 40)}`,
        ),
    ],
    [
      'prose: the bearer of',
      (r) =>
        `The bearer of this ${r.pick(['pass', 'ticket', 'voucher'])} is entitled to ${r.int(1, 4)} free ${r.pick(PRODUCTS)}.`,
    ],
    [
      'prose: bearer scheme',
      (r) =>
        `This API accepts Bearer ${r.pick(['and Basic schemes', 'authentication only', 'tokens issued by the auth service'])}.`,
    ],
    [
      'placeholder',
      (r) =>
        `Authorization: Bearer ${r.pick(['<token>', `\${TOKEN}`, '$ACCESS_TOKEN', '[REDACTED]', '***', '<YOUR_TOKEN>'])}`,
    ],
  ]);
  return [positives, negatives];
}

// ---------------------------------------------------------------------------------------------------------
// iban

/** Country, length, BBAN layout (`n` digits, `a` upper-case letters, `c` upper-case letters or digits). */
const IBAN_COUNTRIES: [string, number, string][] = [
  ['AD', 24, '8n12c'],
  ['AT', 20, '16n'],
  ['BE', 16, '12n'],
  ['BG', 22, '4a6n8c'],
  ['CH', 21, '5n12c'],
  ['CY', 28, '8n16c'],
  ['CZ', 24, '20n'],
  ['DE', 22, '18n'],
  ['DK', 18, '14n'],
  ['EE', 20, '16n'],
  ['ES', 24, '20n'],
  ['FI', 18, '14n'],
  ['FR', 27, '10n11c2n'],
  ['GB', 22, '4a14n'],
  ['GR', 27, '7n16c'],
  ['HR', 21, '17n'],
  ['HU', 28, '24n'],
  ['IE', 22, '4a14n'],
  ['IS', 26, '22n'],
  ['IT', 27, '1a10n12c'],
  ['LT', 20, '16n'],
  ['LU', 20, '3n13c'],
  ['LV', 21, '4a13c'],
  ['MC', 27, '10n11c2n'],
  ['MT', 31, '4a5n18c'],
  ['NL', 18, '4a10n'],
  ['NO', 15, '11n'],
  ['PL', 28, '24n'],
  ['PT', 25, '21n'],
  ['RO', 24, '4a16c'],
  ['SE', 24, '20n'],
  ['SI', 19, '15n'],
  ['SK', 24, '20n'],
  ['SA', 24, '2n18c'],
  ['AE', 23, '19n'],
  ['TR', 26, '5n1n16c'],
  ['LI', 21, '5n12c'],
  ['SM', 27, '1a10n12c'],
  ['BR', 29, '23n1a1c'],
  ['IL', 23, '19n'],
  ['KW', 30, '4a22c'],
  ['QA', 29, '4a21c'],
  ['JO', 30, '4a4n18c'],
  ['UA', 29, '6n19c'],
];

function bban(r: Random, layout: string): string {
  let out = '';
  for (const [, count, type] of layout.matchAll(/(\d+)([nac])/g)) {
    const n = Number(count);
    out += type === 'n' ? r.digits(n) : type === 'a' ? r.chars(UPPER, n) : r.chars(UPPER_ALNUM, n);
  }
  return out;
}

function writeIban(r: Random, iban: string): [string, string] {
  return r.chance(0.45) ? ['grouped', iban.replace(/(.{4})(?=.)/g, '$1 ')] : ['compact', iban];
}

function ibanCorpus(r: Random, n: number, nNeg: number): [Positive[], Negative[]] {
  for (const [country, length, layout] of IBAN_COUNTRIES) {
    if (bban(new Random(1), layout).length !== length - 4) throw new Error(`IBAN layout of ${country}`);
  }
  const shapes: Shape[] = [
    raw('sentence', (r) =>
      sentence(
        r,
        r.pick(['please transfer the amount to IBAN', 'our bank account:', 'refund to']),
        r.pick(['', ` (BIC ${r.chars(UPPER, 6)}${r.chars(UPPER_ALNUM, 2)})`]),
      ),
    ),
    json(['iban', 'accountNumber', 'creditorIban']),
    raw('log', (r) => logLine(r, `sepa transfer created iban=${SLOT} amount=${amount(r)}`)),
    raw(
      'sepa xml',
      (r) => `<CdtrAcct><Id><IBAN>${SLOT}</IBAN></Id></CdtrAcct><Amt Ccy="EUR">${amount(r)}</Amt>`,
    ),
  ];
  const positives: Positive[] = [];
  for (let i = 0; i < n; i++) {
    const [country, length, layout] = r.pick(IBAN_COUNTRIES);
    const b = bban(r, layout);
    const iban = `${country}${ibanCheckDigits(country, b)}${b}`;
    if (!ibanValid(iban) || iban.length !== length)
      throw new Error(`bench/detector-corpus: bad IBAN ${iban}`);
    const [style, written] = writeIban(r, iban);
    const p =
      style === 'compact' && r.chance(0.15)
        ? plant('url', url(r, 'iban'), written)
        : r.pick(shapes)(r, written);
    p.kind = `${country} ${style} · ${p.kind}`;
    positives.push(p);
  }
  const wrongCheck = (r: Random): string => {
    const [country, , layout] = r.pick(IBAN_COUNTRIES);
    const b = bban(r, layout);
    const good = Number(ibanCheckDigits(country, b));
    let bad = r.int(2, 98);
    while (bad === good) bad = r.int(2, 98);
    return writeIban(r, `${country}${pad(bad)}${b}`)[1];
  };
  const wrongLength = (r: Random): string => {
    const [country, , layout] = r.pick(IBAN_COUNTRIES);
    let b = bban(r, layout);
    b = r.chance(0.5) ? b.slice(0, -1) : b + r.digits(1);
    // Right check digits for the wrong length: mod 97 passes, the country's length does not.
    return writeIban(r, `${country}${ibanCheckDigits(country, b)}${b}`)[1];
  };
  const isin = (r: Random) => {
    const body = `${r.pick(['US', 'DE', 'GB', 'FR', 'NL'])}${r.chars(UPPER_ALNUM, 9)}`;
    return body + luhnCheckDigit(body.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55)));
  };
  const negatives = draw(r, nNeg, [
    ['IBAN with wrong check digits', (r) => around(r, 'IBAN', wrongCheck(r))],
    ['IBAN with wrong check digits', (r) => fill(r.pick(shapes)(r, SLOT).text, wrongCheck(r))],
    ['IBAN with the wrong length for its country', (r) => around(r, 'IBAN', wrongLength(r))],
    [
      'BIC / SWIFT code',
      (r) =>
        around(
          r,
          'BIC',
          `${r.chars(UPPER, 4)}${r.pick(['DE', 'GB', 'FR', 'NL'])}${r.chars(UPPER_ALNUM, 2)}${r.pick(['', 'XXX', r.chars(UPPER_ALNUM, 3)])}`,
        ),
    ],
    ['ISIN', (r) => around(r, 'ISIN', isin(r))],
    [
      'VAT number',
      (r) =>
        around(
          r,
          'VAT number',
          `${r.pick(['DE', 'GB', 'FR', 'NL', 'BE'])}${r.digits(9)}${r.pick(['', 'B01'])}`,
        ),
    ],
    [
      'unknown country code',
      (r) => around(r, 'account', `${r.pick(['XX', 'ZZ', 'QQ', 'UK'])}${r.digits(2)}${r.digits(18)}`),
    ],
  ]);
  return [positives, negatives];
}

// ---------------------------------------------------------------------------------------------------------
// phone

function nanpParts(r: Random): [string, string, string] {
  let area = `${r.int(2, 9)}${r.int(0, 8)}${r.int(0, 9)}`;
  while (area.endsWith('11')) area = `${r.int(2, 9)}${r.int(0, 8)}${r.int(0, 9)}`;
  let exchange = `${r.int(2, 9)}${r.digits(2)}`;
  while (exchange.endsWith('11')) exchange = `${r.int(2, 9)}${r.digits(2)}`;
  return [area, exchange, r.digits(4)];
}

function nanp(r: Random): [string, string] {
  const [a, e, l] = nanpParts(r);
  return r.pick<[string, string]>([
    ['nanp (415) 555-2671', `(${a}) ${e}-${l}`],
    ['nanp 415-555-2671', `${a}-${e}-${l}`],
    ['nanp 415.555.2671', `${a}.${e}.${l}`],
    ['nanp 415 555 2671', `${a} ${e} ${l}`],
    ['nanp +1 415-555-2671', `+1 ${a}-${e}-${l}`],
    ['nanp +1 (415) 555-2671', `+1 (${a}) ${e}-${l}`],
    ['nanp 1-415-555-2671', `1-${a}-${e}-${l}`],
    ['nanp (415)555-2671', `(${a})${e}-${l}`],
    ['nanp +1-415-555-2671', `+1-${a}-${e}-${l}`],
    ['nanp +1 415 555 2671', `+1 ${a} ${e} ${l}`],
    ['e164 +14155552671', `+1${a}${e}${l}`],
  ]);
}

/** Other countries in E.164, written compact or grouped as that country writes it. */
function international(r: Random): [string, string] {
  const d = (n: number) => r.digits(n);
  const [country, groups] = r.pick<() => [string, string[]]>([
    () => ['GB', ['+44', `7${d(3)}`, d(6)]],
    () => ['GB', ['+44', '20', d(4), d(4)]],
    () => ['FR', ['+33', String(r.int(1, 7)), d(2), d(2), d(2), d(2)]],
    () => ['DE', ['+49', '30', d(8)]],
    () => ['DE', ['+49', `15${d(1)}`, d(8)]],
    () => ['ES', ['+34', `6${d(2)}`, d(3), d(3)]],
    () => ['IT', ['+39', `3${d(2)}`, d(3), d(4)]],
    () => ['NL', ['+31', '6', d(8)]],
    () => ['AU', ['+61', `4${d(2)}`, d(3), d(3)]],
    () => ['IN', ['+91', `9${d(4)}`, d(5)]],
    () => ['JP', ['+81', '90', d(4), d(4)]],
    () => ['BR', ['+55', '11', `9${d(4)}`, d(4)]],
    () => ['IE', ['+353', `8${r.int(3, 9)}`, d(3), d(4)]],
    () => ['SG', ['+65', `${r.pick(['8', '9'])}${d(3)}`, d(4)]],
    () => ['ZA', ['+27', `8${r.int(1, 4)}`, d(3), d(4)]],
  ])();
  const style = r.weighted([
    [45, 'compact'],
    [40, 'spaces'],
    [15, 'dashes'],
  ] as const);
  // The UK habit of writing the national trunk prefix in brackets after the country code.
  if (country === 'GB' && r.chance(0.3))
    return ['e164 GB (0)', `${groups[0]} (0)${groups.slice(1).join(' ')}`];
  if (style === 'compact') return [`e164 ${country} compact`, groups.join('')];
  if (style === 'spaces') return [`e164 ${country} spaces`, groups.join(' ')];
  return [`e164 ${country} dashes`, `${groups[0]} ${groups.slice(1).join('-')}`];
}

function phoneCorpus(r: Random, n: number, nNeg: number): [Positive[], Negative[]] {
  const shapes: Shape[] = [
    raw('sentence', (r) =>
      sentence(r, r.pick(['call me on', 'you can reach the courier at', 'my new number is'])),
    ),
    json(['phone', 'mobile', 'phoneNumber']),
    raw('log', (r) => logLine(r, `sms sent to=${SLOT} template=${r.pick(['otp', 'delivery', 'reminder'])}`)),
    raw('header', () => `X-Caller-Id: ${SLOT}`),
    raw(
      'sentence with label',
      (r) => `Contact: ${capital(r.pick(FIRST))} ${capital(r.pick(LAST))}, tel. ${SLOT}, ${r.pick(CITIES)}`,
    ),
  ];
  const positives: Positive[] = [];
  for (let i = 0; i < n; i++) {
    const [style, written] = r.chance(0.5) ? nanp(r) : international(r);
    const compact = /^\+\d+$/.test(written);
    const p =
      compact && r.chance(0.2)
        ? plant('tel link', `<a href="tel:${SLOT}">Call us</a>`, written)
        : r.pick(shapes)(r, written);
    p.kind = `${style} · ${p.kind}`;
    positives.push(p);
  }
  const negatives = draw(r, nNeg, [
    [
      '10-13 digit order id (no phone formatting)',
      (r) => around(r, 'order id', `${r.int(1, 9)}${r.digits(r.int(9, 12))}`),
    ],
    ['unix timestamp', (r) => around(r, 'timestamp', String(r.int(1_600_000_000, 1_900_000_000)))],
    [
      'coordinates',
      (r) => around(r, 'location', `+${r.int(10, 60)}.${r.digits(4)}, -${r.int(10, 170)}.${r.digits(4)}`),
    ],
    [
      'signed counts and percentages',
      (r) =>
        `Conversion ${r.pick(['+', '-'])}${r.int(1, 40)}.${r.digits(1)}% week on week, ${r.pick(['+', '-'])}${r.int(100, 99999)} sessions.`,
    ],
    [
      'timezone offsets',
      (r) =>
        `[${pad(r.int(1, 28))}/Dec/2026:${pad(r.int(0, 23))}:${pad(r.int(0, 59))}:${pad(r.int(0, 59))} +${pad(r.int(0, 12))}00] "GET ${r.pick(PATHS)} HTTP/1.1" ${r.pick([200, 404])} ${r.int(100, 99999)}`,
    ],
    [
      'quantities with thousands separators',
      (r) => `Imported ${r.int(1, 999)},${r.digits(3)},${r.digits(3)} rows from ${r.int(10, 99)} files.`,
    ],
    ['ISBN', (r) => around(r, 'ISBN', `978-${r.int(0, 9)}-${r.digits(3)}-${r.digits(5)}-${r.int(0, 9)}`)],
    ['invoice number', (r) => around(r, 'invoice', `INV-${r.int(2019, 2026)}-${r.digits(6)}`)],
    [
      'screen resolution and ranges',
      (r) =>
        `Rendered ${r.pick(['1920x1080', '2560x1440', '3840x2160'])} frames ${r.int(100, 999)}-${r.int(1000, 9999)} in ${r.int(2, 90)} s.`,
    ],
  ]);
  return [positives, negatives];
}

// ---------------------------------------------------------------------------------------------------------
// ipAddress

/** Public unicast first octets, leaving out 10 (private), 127 (loopback) and the documentation ranges' 192/198/203. */
const PUBLIC_FIRST_OCTETS = Array.from({ length: 223 }, (_, i) => i + 1).filter(
  (o) => ![10, 127, 192, 198, 203].includes(o),
);

function ipv4(r: Random): [string, string] {
  const octet = () => r.int(0, 255);
  return r.weighted<() => [string, string]>([
    [15, () => ['ipv4 private 10/8', `10.${octet()}.${octet()}.${r.int(1, 254)}`]],
    [15, () => ['ipv4 private 192.168/16', `192.168.${octet()}.${r.int(1, 254)}`]],
    [10, () => ['ipv4 private 172.16/12', `172.${r.int(16, 31)}.${octet()}.${r.int(1, 254)}`]],
    [60, () => ['ipv4 public', `${r.pick(PUBLIC_FIRST_OCTETS)}.${octet()}.${octet()}.${r.int(1, 254)}`]],
  ])();
}

function ipv6(r: Random): [string, string] {
  const groups: number[] = [];
  const prefix = r.weighted([
    [60, 'global'],
    [20, 'link-local'],
    [20, 'ula'],
  ] as const);
  if (prefix === 'global') {
    groups.push(r.int(0x2400, 0x2a0f), r.int(0, 0xffff));
    if (groups[0] === 0x2001 && groups[1] === 0xdb8) groups[1] = 0x4860;
  } else if (prefix === 'link-local') {
    groups.push(0xfe80, 0);
  } else {
    groups.push(r.int(0xfd00, 0xfdff), r.int(0, 0xffff));
  }
  for (let i = 2; i < 8; i++) groups.push(r.int(0, 0xffff));
  // Real addresses have runs of zero groups: the subnet part, or the interface id of a router.
  if (prefix === 'link-local') groups.splice(2, 2, 0, 0);
  else if (r.chance(0.6)) {
    const at = r.int(2, 5);
    const len = r.int(2, 8 - at - 1);
    for (let i = at; i < at + len; i++) groups[i] = 0;
  }
  const style = r.weighted([
    [20, 'full'],
    [20, 'no leading zeros'],
    [45, 'compressed'],
    [15, 'mapped'],
  ] as const);
  let text: string;
  if (style === 'mapped') {
    text = `::ffff:${ipv4(r)[1]}`;
  } else if (style === 'full') {
    text = groups.map((g) => g.toString(16).padStart(4, '0')).join(':');
  } else {
    const hex = groups.map((g) => g.toString(16));
    text = hex.join(':');
    if (style === 'compressed') {
      // RFC 5952: the longest run of two or more zero groups becomes `::`.
      let best = -1;
      let bestLen = 1;
      for (let i = 0; i < 8; ) {
        if (groups[i] !== 0) {
          i++;
          continue;
        }
        let j = i;
        while (j < 8 && groups[j] === 0) j++;
        if (j - i > bestLen) {
          best = i;
          bestLen = j - i;
        }
        i = j;
      }
      if (best !== -1) text = `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
    }
  }
  if (style !== 'mapped' && r.chance(0.15)) text = text.toUpperCase();
  return [style === 'mapped' ? 'ipv6 mapped ipv4' : `ipv6 ${prefix} ${style}`, text];
}

function ipCorpus(r: Random, n: number, nNeg: number): [Positive[], Negative[]] {
  const common: Shape[] = [
    raw(
      'access log',
      (r) =>
        `${SLOT} - - [${pad(r.int(1, 28))}/Dec/2026:${pad(r.int(0, 23))}:${pad(r.int(0, 59))}:${pad(r.int(0, 59))} +0000] "GET ${r.pick(PATHS)} HTTP/1.1" ${r.pick([200, 301, 404])} ${r.int(100, 99999)}`,
    ),
    raw('log', (r) => logLine(r, `login failed client_ip=${SLOT} attempts=${r.int(2, 9)}`)),
    json(['sourceIp', 'clientIp', 'ip'], (inner) => ({
      requestContext: { identity: inner },
      httpMethod: 'GET',
    })),
    raw('header', () => `X-Forwarded-For: ${SLOT}`),
    raw('sentence', (r) =>
      sentence(r, r.pick(['blocked a login attempt from', 'the database listens on', 'traffic came from'])),
    ),
  ];
  const positives: Positive[] = [];
  for (let i = 0; i < n; i++) {
    const [style, value] = r.chance(0.5) ? ipv4(r) : ipv6(r);
    const v6 = value.includes(':');
    // A link-local address is only usable with its zone, which stays outside the value.
    const zoned = style.includes('link-local') && r.chance(0.3);
    const p = zoned
      ? plant(
          'log with zone id',
          logLine(r, `neighbour ${SLOT}%${r.pick(['eth0', 'en0'])} unreachable`),
          value,
        )
      : r.chance(0.15)
        ? plant(
            'url',
            v6
              ? `http://[${SLOT}]:${r.pick([8080, 8443, 3000])}/health`
              : `http://${SLOT}:${r.pick([8080, 443, 3000])}/health`,
            value,
          )
        : r.pick(common)(r, value);
    p.kind = `${style} · ${p.kind}`;
    positives.push(p);
  }
  const mac = (r: Random) => {
    const parts = Array.from({ length: 6 }, () => r.chars(HEX, 2));
    return r.pick([parts.join(':'), parts.join('-'), parts.join(':').toUpperCase()]);
  };
  const negatives = draw(r, nNeg, [
    [
      'browser user agent (Chrome/120.0.0.0)',
      (r) =>
        `User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${r.int(110, 135)}.0.0.0 Safari/537.36`,
    ],
    [
      'four-part build version over 255',
      (r) => around(r, 'build', `${r.int(1, 20)}.${r.int(0, 9)}.${r.int(1000, 29999)}.${r.int(1, 9999)}`),
    ],
    [
      'v-prefixed four-part version',
      (r) => around(r, 'version', `v${r.int(1, 9)}.${r.int(0, 20)}.${r.int(0, 20)}.${r.int(0, 20)}`),
    ],
    [
      'OID',
      (r) =>
        around(
          r,
          'oid',
          r.pick(['1.3.6.1.4.1', '1.2.840.113549.1.1', '1.3.6.1.5.5.7.3', '2.16.840.1.101.3.4.2']) +
            `.${r.int(1, 60)}`,
        ),
    ],
    [
      'octet out of range',
      (r) => around(r, 'value', `${r.int(256, 999)}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(0, 255)}`),
    ],
    [
      'dotted date',
      (r) => around(r, 'date', `${pad(r.int(1, 28))}.${pad(r.int(1, 12))}.${r.int(2019, 2027)}`),
    ],
    ['MAC address', (r) => around(r, 'mac', mac(r))],
    [
      'SSH MD5 fingerprint',
      (r) => `Host key fingerprint is MD5:${Array.from({ length: 16 }, () => r.chars(HEX, 2)).join(':')}`,
    ],
    [
      'time of day / timecode',
      (r) =>
        around(
          r,
          'time',
          `${pad(r.int(0, 23))}:${pad(r.int(0, 59))}:${pad(r.int(0, 59))}${r.pick(['', `.${r.digits(3)}`, `:${pad(r.int(0, 24))}`])}`,
        ),
    ],
    [
      'namespaces with ::',
      (r) =>
        `${r.pick(['std::vector<int>', 'ActiveRecord::Base', 'Foo::Bar::baz()', 'std::string_view'])} threw in ${r.pick(NOUNS)}_handler.cc:${r.int(10, 900)}`,
    ],
    ['three-part numbers', (r) => around(r, 'version', `${r.int(0, 30)}.${r.int(0, 30)}.${r.int(0, 99)}`)],
  ]);
  return [positives, negatives];
}

// ---------------------------------------------------------------------------------------------------------
// privateKey

const concat = (...parts: (number[] | Uint8Array)[]) => Buffer.concat(parts.map((p) => Buffer.from(p)));

function derLength(n: number): number[] {
  return n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
}

/** INTEGER 0 (version) and the AlgorithmIdentifier of rsaEncryption, as every PKCS #8 RSA key starts. */
// biome-ignore format: DER bytes
const PKCS8_RSA_HEAD = [0x02, 0x01, 0x00, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00];

/** Bytes shaped like the DER of a key of the given kind: the right leading structure, random contents. */
function keyBytes(r: Random, kind: string): Buffer {
  switch (kind) {
    case 'RSA PRIVATE KEY': {
      const bits = r.pick([2048, 2048, 3072, 4096]);
      const total = Math.round((bits / 8) * 4.64);
      const modulus = bits / 8 + 1;
      return concat(
        [0x30, ...derLength(total), 0x02, 0x01, 0x00, 0x02, ...derLength(modulus), 0x00],
        r.bytes(total - 8),
      );
    }
    case 'PRIVATE KEY': {
      if (r.chance(0.3)) {
        return concat(
          [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20],
          r.bytes(32),
        );
      }
      // SEQUENCE { INTEGER 0, AlgorithmIdentifier rsaEncryption, OCTET STRING { RSAPrivateKey } }
      const total = r.pick([1213, 1214, 1215, 1216, 1217]);
      const inner = total - 22;
      return concat(
        [0x30, 0x82, total >> 8, total & 0xff],
        PKCS8_RSA_HEAD,
        [0x04, 0x82, inner >> 8, inner & 0xff],
        r.bytes(inner),
      );
    }
    case 'EC PRIVATE KEY':
      return concat(
        [0x30, 0x77, 0x02, 0x01, 0x01, 0x04, 0x20],
        r.bytes(32),
        [
          0xa0, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0xa1, 0x44, 0x03, 0x42,
          0x00, 0x04,
        ],
        r.bytes(64),
      );
    case 'ENCRYPTED PRIVATE KEY':
      return concat(
        [
          0x30, 0x82, 0x05, 0x1e, 0x30, 0x48, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05,
          0x0d,
        ],
        r.bytes(1300),
      );
    case 'DSA PRIVATE KEY':
      return concat([0x30, 0x82, 0x01, 0xbb, 0x02, 0x01, 0x00, 0x02, 0x81, 0x81, 0x00], r.bytes(432));
    default: {
      // OpenSSH: the `openssh-key-v1` magic, cipher and KDF names, one key, then the key blobs.
      const ed = r.chance(0.7);
      const str = (s: string) => concat([0, 0, 0, s.length], Buffer.from(s));
      return concat(
        Buffer.from('openssh-key-v1\0'),
        str('none'),
        str('none'),
        [0, 0, 0, 0, 0, 0, 0, 1],
        ed
          ? concat([0, 0, 0, 0x33], str('ssh-ed25519'), [0, 0, 0, 0x20], r.bytes(32))
          : concat([0, 0, 1, 0x97], str('ssh-rsa')),
        r.bytes(ed ? 200 : 1400),
      );
    }
  }
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += width) lines.push(text.slice(i, i + width));
  return lines;
}

function pemBlock(label: string, bytes: Buffer, eol: string, width = 64, headers = ''): string {
  const body = wrap(bytes.toString('base64'), width).join(eol);
  return `-----BEGIN ${label}-----${eol}${headers}${body}${eol}-----END ${label}-----`;
}

/** An OpenPGP armored secret key: a blank line after BEGIN, the base64 packets, a CRC-24 line. */
function pgpPrivateKey(r: Random, eol: string): string {
  // 0x95: an old-format secret-key packet with a two-byte length, version 4.
  const body = concat([0x95, 0x07, 0x46, 0x04], r.bytes(r.int(900, 1800))).toString('base64');
  return `-----BEGIN PGP PRIVATE KEY BLOCK-----${eol}${eol}${wrap(body, 64).join(eol)}${eol}=${r.chars(B64, 4)}${eol}-----END PGP PRIVATE KEY BLOCK-----`;
}

function privateKey(r: Random): [string, string] {
  if (r.chance(0.05)) return ['pgp private key block', pgpPrivateKey(r, '\n')];
  const label = r.weighted([
    [25, 'RSA PRIVATE KEY'],
    [25, 'PRIVATE KEY'],
    [15, 'EC PRIVATE KEY'],
    [25, 'OPENSSH PRIVATE KEY'],
    [6, 'ENCRYPTED PRIVATE KEY'],
    [4, 'DSA PRIVATE KEY'],
  ] as const);
  const eol = r.chance(0.15) ? '\r\n' : '\n';
  const bytes = keyBytes(r, label);
  if (label === 'OPENSSH PRIVATE KEY')
    return [`openssh${eol === '\n' ? '' : ' crlf'}`, pemBlock(label, bytes, eol, 70)];
  const headers =
    label === 'RSA PRIVATE KEY' && r.chance(0.15)
      ? `Proc-Type: 4,ENCRYPTED${eol}DEK-Info: AES-256-CBC,${r.chars(HEX, 32).toUpperCase()}${eol}${eol}`
      : '';
  return [
    `${label.toLowerCase()}${headers === '' ? '' : ' (legacy encrypted)'}${eol === '\n' ? '' : ' crlf'}`,
    pemBlock(label, bytes, eol, 64, headers),
  ];
}

function privateKeyCorpus(r: Random, n: number, nNeg: number): [Positive[], Negative[]] {
  const shapes: Shape[] = [
    raw(
      'file content',
      (r) => `# ${r.pick(['deploy key', 'tls key', 'signing key'])} for ${r.pick(SERVICES)}\n${SLOT}\n`,
    ),
    raw('log', (r) => logLine(r, `loaded key material:\n${SLOT}\n`)),
    // A service-account style JSON string: the newlines as `\n` escapes.
    (r, value) =>
      plant(
        'json (\\n escapes)',
        JSON.stringify(
          {
            type: 'service_account',
            project_id: `${r.pick(COMPANY)}-${r.digits(6)}`,
            private_key_id: r.chars(HEX, 40),
            private_key: `${SLOT}\n`,
            client_id: r.digits(21),
          },
          null,
          r.chance(0.5) ? 2 : undefined,
        ),
        jsonEscape(value),
      ),
    // An environment variable on one line, the newlines written as a literal backslash and n.
    (r, value) =>
      plant(
        'env (literal \\n)',
        `${r.pick(['PRIVATE_KEY', 'JWT_SIGNING_KEY', 'SSH_KEY'])}="${SLOT}"`,
        value.replace(/\r?\n/g, '\\n'),
      ),
    // A YAML block scalar: every line indented.
    (r, value) =>
      plant(
        'yaml block',
        `tls:\n  ${r.pick(['key', 'privateKey'])}: |\n    ${SLOT}\n  enabled: true`,
        value.replace(/\r?\n/g, '\n    '),
      ),
  ];
  const positives = embedAll(r, n, privateKey, shapes);
  const cert = (r: Random, label: string) =>
    pemBlock(
      label,
      concat(
        [0x30, 0x82, 0x03, 0x5d, 0x30, 0x82, 0x02, 0x45, 0xa0, 0x03, 0x02, 0x01, 0x02],
        r.bytes(r.int(600, 900)),
      ),
      '\n',
    );
  const sshPublic = (r: Random) =>
    r.pick([
      () =>
        `ssh-ed25519 ${concat([0, 0, 0, 11], Buffer.from('ssh-ed25519'), [0, 0, 0, 32], r.bytes(32)).toString('base64')} ${r.pick(FIRST)}@${r.pick(['laptop', 'build-01', 'bastion'])}`,
      () =>
        `ssh-rsa ${concat([0, 0, 0, 7], Buffer.from('ssh-rsa'), [0, 0, 0, 3, 1, 0, 1, 0, 0, 1, 1, 0], r.bytes(256)).toString('base64')} deploy@${r.pick(SERVICES)}`,
    ])();
  const negatives = draw(r, nNeg, [
    [
      'certificate',
      (r) =>
        `${r.pick(['# server certificate', 'ca.pem:', 'Certificate chain'])}\n${cert(r, 'CERTIFICATE')}\n`,
    ],
    [
      'certificate in JSON',
      (r) => JSON.stringify({ certificatePem: `${cert(r, 'CERTIFICATE')}\n`, status: 'ACTIVE' }),
    ],
    [
      'public key',
      (r) =>
        `${pemBlock('PUBLIC KEY', concat([0x30, 0x82, 0x01, 0x22, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00, 0x03, 0x82, 0x01, 0x0f, 0x00], r.bytes(270)), '\n')}\n`,
    ],
    [
      'RSA public key',
      (r) =>
        pemBlock(
          'RSA PUBLIC KEY',
          concat([0x30, 0x82, 0x01, 0x0a, 0x02, 0x82, 0x01, 0x01, 0x00], r.bytes(261)),
          '\n',
        ),
    ],
    ['certificate request', (r) => cert(r, 'CERTIFICATE REQUEST')],
    ['ssh public key', (r) => `${r.pick(['authorized_keys: ', '', 'Added key '])}${sshPublic(r)}`],
    [
      'PGP public key block',
      (r) =>
        `-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n${wrap(Buffer.from(r.bytes(600)).toString('base64'), 64).join('\n')}\n=${r.chars(B64, 4)}\n-----END PGP PUBLIC KEY BLOCK-----`,
    ],
  ]);
  return [positives, negatives];
}

// ---------------------------------------------------------------------------------------------------------
// Vendor tokens

function tokenShapes(env: string, jsonKey: string, logKey: string, bearer = true): Shape[] {
  const shapes = [
    raw('env', () => `${env}=${SLOT}`),
    json(jsonKey),
    raw('log', (r) => logLine(r, `calling upstream ${logKey}=${SLOT}`)),
    raw('sentence', (r) =>
      sentence(r, r.pick(['I accidentally pasted my key', 'the token is', 'use this key:'])),
    ),
  ];
  return bearer ? [...shapes, raw('bearer header', () => `Authorization: Bearer ${SLOT}`)] : shapes;
}

function stripeCorpus(r: Random, n: number, nNeg: number, testNegative: boolean): [Positive[], Negative[]] {
  const shapes = [
    ...tokenShapes('STRIPE_SECRET_KEY', 'stripeSecretKey', 'key'),
    raw('curl -u', () => `curl https://api.stripe.com/v1/charges -u ${SLOT}: -d amount=2000 -d currency=usd`),
  ];
  const stripeKey = (
    r: Random,
    mode: string,
    prefix = r.weighted([
      [70, 'sk'],
      [30, 'rk'],
    ] as const),
  ): [string, string] => {
    const long = r.chance(0.5);
    return [
      `${prefix}_${mode} ${long ? 'long' : '24'}`,
      `${prefix}_${mode}_${long ? `${r.int(4, 5)}1${r.chars(ALNUM, 97)}` : r.chars(ALNUM, 24)}`,
    ];
  };
  const positives = embedAll(r, n, (r) => stripeKey(r, 'live'), shapes);
  const generators: [string, (r: Random) => string][] = [
    [
      'publishable key pk_live_ (public by design)',
      (r) => `<script>const stripe = Stripe('pk_live_${r.chars(ALNUM, r.pick([24, 99]))}');</script>`,
    ],
    [
      'publishable key pk_live_ (public by design)',
      (r) => fill(jsonDoc(r, 'publishableKey'), `pk_live_${r.chars(ALNUM, r.pick([24, 99]))}`),
    ],
    [
      'identifier containing sk_live_',
      (r) =>
        logLine(
          r,
          `metric ${r.pick(['disk_live_bytes', 'task_live_count', 'risk_live_score', 'desk_live_chat_sessions'])}_${r.pick(['total', 'p99', 'current'])}=${r.int(1, 99999)}`,
        ),
    ],
    [
      'Stripe object ids',
      (r) =>
        fill(
          jsonDoc(r, r.pick(['customer', 'charge', 'paymentIntent'])),
          `${r.pick(['cus_', 'ch_', 'pi_', 'price_', 'prod_'])}${r.chars(ALNUM, r.pick([14, 24]))}`,
        ),
    ],
    ['placeholder', () => 'STRIPE_SECRET_KEY=sk_live_...'],
  ];
  if (testNegative) {
    generators.push([
      'test-mode key sk_test_ / rk_test_',
      (r) => r.pick(shapes)(r, stripeKey(r, 'test')[1]).text,
    ]);
    generators.push([
      'test-mode key sk_test_ / rk_test_',
      (r) => r.pick(shapes)(r, stripeKey(r, 'test')[1]).text,
    ]);
  }
  return [positives, draw(r, nNeg, generators)];
}

function githubCorpus(r: Random, n: number, nNeg: number): [Positive[], Negative[]] {
  const shapes = [
    ...tokenShapes('GITHUB_TOKEN', 'githubToken', 'token'),
    raw(
      'git remote url',
      (r) => `git clone https://x-access-token:${SLOT}@github.com/${r.pick(COMPANY)}/${r.pick(SERVICES)}.git`,
    ),
    raw('token header', () => `Authorization: token ${SLOT}`),
    raw('npmrc', () => `//npm.pkg.github.com/:_authToken=${SLOT}`),
  ];
  const positives = embedAll(
    r,
    n,
    (r) =>
      r.weighted<() => [string, string]>([
        [50, () => ['ghp_ classic PAT', `ghp_${r.chars(ALNUM, 36)}`]],
        [
          25,
          () => ['github_pat_ fine-grained', `github_pat_${r.chars(UPPER_ALNUM, 22)}_${r.chars(ALNUM, 59)}`],
        ],
        [
          25,
          () => {
            const prefix = r.pick(['gho', 'ghu', 'ghs', 'ghr']);
            return [`${prefix}_ token`, `${prefix}_${r.chars(ALNUM, 36)}`];
          },
        ],
      ])(),
    shapes,
  );
  const negatives = draw(r, nNeg, [
    ['commit sha', (r) => logLine(r, `GITHUB_SHA=${r.chars(HEX, 40)} GITHUB_RUN_ID=${r.digits(10)}`)],
    [
      'github urls',
      (r) =>
        `See https://github.com/${r.pick(COMPANY)}/${r.pick(SERVICES)}/pull/${r.int(1, 9999)} (${r.chars(HEX, 7)}).`,
    ],
    [
      'config names with the prefix',
      (r) =>
        `${r.pick(['github_pat_expiry_days', 'github_pat_rotation', 'ghp_cache_enabled'])}: ${r.pick(['30', 'true', 'weekly'])}`,
    ],
    ['too-short ghp_', (r) => around(r, 'token', `ghp_${r.chars(ALNUM, r.int(6, 20))}`)],
    [
      'placeholder',
      (r) => `GITHUB_TOKEN=${r.pick(['ghp_xxx', `\${{ secrets.GITHUB_TOKEN }}`, 'ghp_...', '<your-token>'])}`,
    ],
  ]);
  return [positives, negatives];
}

function slackCorpus(r: Random, n: number, nNeg: number): [Positive[], Negative[]] {
  const shapes = [...tokenShapes('SLACK_BOT_TOKEN', 'token', 'token'), raw('url', (r) => url(r, 'token'))];
  const positives = embedAll(
    r,
    n,
    (r) =>
      r.weighted<() => [string, string]>([
        [
          45,
          () => [
            'xoxb- bot',
            `xoxb-${r.digits(r.int(10, 13))}-${r.digits(r.int(10, 13))}-${r.chars(ALNUM, 24)}`,
          ],
        ],
        [
          25,
          () => [
            'xoxp- user',
            `xoxp-${r.digits(r.int(10, 13))}-${r.digits(r.int(10, 13))}-${r.digits(r.int(10, 13))}-${r.chars(HEX, 32)}`,
          ],
        ],
        [
          30,
          () => [
            'xapp- app-level',
            `xapp-1-A${r.chars(UPPER_ALNUM, 10)}-${r.digits(13)}-${r.chars(HEX, 64)}`,
          ],
        ],
      ])(),
    shapes,
  );
  const negatives = draw(r, nNeg, [
    ['channel, user and team ids', (r) => fill(jsonDoc(r, 'channel'), `C${r.chars(UPPER_ALNUM, 10)}`)],
    [
      'message ts',
      (r) =>
        logLine(
          r,
          `posted to C${r.chars(UPPER_ALNUM, 10)} ts=${r.int(1_700_000_000, 1_800_000_000)}.${r.digits(6)}`,
        ),
    ],
    [
      'placeholder',
      (r) => `SLACK_BOT_TOKEN=${r.pick(['xoxb-your-token', 'xoxb-...', '<bot-token>', 'xoxb-XXXXXXXX'])}`,
    ],
    ['xoxo in chat', (r) => `Thanks for the ${r.pick(NOUNS)}! xoxo-${r.pick(FIRST)}`],
    [
      'slack api method names',
      (r) =>
        `Called ${r.pick(['chat.postMessage', 'conversations.history', 'users.info'])} in ${r.int(20, 900)} ms (ok=true).`,
    ],
  ]);
  return [positives, negatives];
}

function gcpCorpus(r: Random, n: number, nNeg: number): [Positive[], Negative[]] {
  const shapes = [
    ...tokenShapes('GOOGLE_API_KEY', 'apiKey', 'key', false),
    raw(
      'maps url',
      (r) => `https://maps.googleapis.com/maps/api/geocode/json?address=${r.pick(CITIES)}&key=${SLOT}`,
    ),
    raw(
      'script tag',
      () =>
        `<script src="https://maps.googleapis.com/maps/api/js?key=${SLOT}&callback=initMap" async></script>`,
    ),
    raw('api key header', () => `X-Goog-Api-Key: ${SLOT}`),
    json('apiKey', (inner) => ({
      firebaseConfig: { ...inner, authDomain: 'app.firebaseapp.com', messagingSenderId: '1234567890' },
    })),
  ];
  const positives = embedAll(
    r,
    n,
    (r) =>
      r.chance(0.9) ? ['AIzaSy', `AIzaSy${r.chars(B64URL, 33)}`] : ['AIza', `AIza${r.chars(B64URL, 35)}`],
    shapes,
  );
  const negatives = draw(r, nNeg, [
    [
      'firebase config ids',
      (r) =>
        JSON.stringify({
          appId: `1:${r.digits(12)}:web:${r.chars(HEX, 22)}`,
          measurementId: `G-${r.chars(UPPER_ALNUM, 10)}`,
          projectId: `${r.pick(COMPANY)}-${r.digits(5)}`,
        }),
    ],
    [
      'oauth client id',
      (r) =>
        around(r, 'client id', `${r.digits(12)}-${r.chars(LOWER + DIGITS, 32)}.apps.googleusercontent.com`),
    ],
    ['AIza too short', (r) => around(r, 'key', `AIzaSy${r.chars(B64URL, r.int(20, 32))}`)],
    [
      'AIza glued inside base64',
      (r) => around(r, 'blob', `${r.chars(ALNUM, r.int(4, 20))}AIza${r.chars(ALNUM, 35)}`),
    ],
    [
      'gcp resource names',
      (r) =>
        `projects/${r.pick(COMPANY)}-${r.digits(6)}/locations/${r.pick(['europe-west1', 'us-central1'])}/functions/${r.pick(SERVICES)}`,
    ],
  ]);
  return [positives, negatives];
}

function basicCorpus(r: Random, n: number, nNeg: number): [Positive[], Negative[]] {
  const shapes: Shape[] = [
    raw('authorization header', () => `Authorization: Basic ${SLOT}`),
    raw('proxy header', () => `Proxy-Authorization: Basic ${SLOT}`),
    raw('lower-case header', () => `authorization: basic ${SLOT}`),
    jsonAround('json headers', (r) => ({
      headers: { 'content-type': 'application/json', authorization: `Basic ${SLOT}` },
      path: r.pick(PATHS),
    })),
    raw('curl', (r) => `curl -H "Authorization: Basic ${SLOT}" https://${host(r)}${r.pick(PATHS)}`),
    raw('log', (r) => logLine(r, `proxy request header authorization="Basic ${SLOT}"`)),
  ];
  const positives = embedAll(
    r,
    n,
    (r) => {
      const [first, last] = personName(r);
      const user = r.pick([
        `${first}.${last}`,
        `${first}`,
        `svc-${r.pick(SERVICES)}`,
        `${first}@${r.pick(COMPANY)}.com`,
        'admin',
      ]);
      const password = r.chars(`${ALNUM}!#$%&*-_.`, r.int(8, 24));
      return ['base64 user:pass', Buffer.from(`${user}:${password}`).toString('base64')];
    },
    shapes,
  );
  const negatives = draw(r, nNeg, [
    [
      'WWW-Authenticate challenge',
      (r) =>
        `WWW-Authenticate: Basic realm="${r.pick(['Restricted', 'Admin area', capital(r.pick(SERVICES))])}", charset="UTF-8"`,
    ],
    [
      'prose: basic',
      (r) =>
        `${r.pick(['Basic plan', 'Basic information', 'Basic usage', 'Basic tier', 'Basic auth'])} ${r.pick(['is enabled', 'was updated', 'applies'])} for tenant-${r.int(1, 40)}.`,
    ],
    [
      'prose: basic auth failed',
      (r) => logLine(r, `Basic auth failed for user ${r.pick(FIRST)} after ${r.int(2, 5)} attempts`),
    ],
    ['scheme name', (r) => fill(jsonDoc(r, 'authType'), 'Basic')],
    [
      'placeholder',
      (r) =>
        `Authorization: Basic ${r.pick(['<credentials>', `\${CREDENTIALS}`, '***', '[REDACTED]', '<base64(user:password)>'])}`,
    ],
  ]);
  return [positives, negatives];
}

// ---------------------------------------------------------------------------------------------------------
// Look-alikes and the shared pool

/** An order id of `length` digits that is not a valid card number (Luhn-invalid when 13-19 digits long). */
function orderId(r: Random, length: number): string {
  let id = `${r.int(1, 9)}${r.digits(length - 1)}`;
  if (length >= 13 && length <= 19 && luhnValid(id))
    id = id.slice(0, -1) + ((id.charCodeAt(id.length - 1) - 47) % 10);
  return id;
}

function upsTracking(r: Random): string {
  return `1Z${r.chars(UPPER_ALNUM, 6)}${r.digits(2)}${r.digits(8)}`;
}

function lookAlikes(r: Random, n: number): Negative[] {
  return draw(r, n, [
    ['UUID', (r) => around(r, 'request id', uuid(r))],
    [
      'ISO timestamp',
      (r) =>
        around(
          r,
          'created at',
          r.pick([
            isoTimestamp(r),
            isoTimestamp(r).replace('T', ' ').slice(0, 19),
            `${isoTimestamp(r).slice(0, 19)}+${pad(r.int(0, 12))}:00`,
          ]),
        ),
    ],
    [
      'date',
      (r) =>
        around(
          r,
          'due date',
          r.pick([
            `2026-${pad(r.int(1, 12))}-${pad(r.int(1, 28))}`,
            `${pad(r.int(1, 28))}/${pad(r.int(1, 12))}/2026`,
            `${r.int(1, 28)} December 2026`,
          ]),
        ),
    ],
    [
      'time',
      (r) =>
        around(
          r,
          'time',
          `${pad(r.int(0, 23))}:${pad(r.int(0, 59))}${r.chance(0.6) ? `:${pad(r.int(0, 59))}` : ''}`,
        ),
    ],
    [
      'order number',
      (r) =>
        around(
          r,
          'order',
          r.pick([`#${orderId(r, r.int(10, 20))}`, orderId(r, r.int(10, 20)), `ORD-2026-${r.digits(6)}`]),
        ),
    ],
    [
      'tracking number',
      (r) => around(r, 'tracking number', r.pick([upsTracking(r), r.digits(12), `JD${r.digits(18)}`])),
    ],
    ['sha-1 / sha-256 hash', (r) => around(r, 'checksum', r.chars(HEX, r.pick([40, 64])))],
    ['base64 blob', (r) => around(r, 'payload', Buffer.from(r.bytes(r.int(16, 90))).toString('base64'))],
    [
      'version string',
      (r) =>
        around(
          r,
          'version',
          r.pick([
            `${r.int(0, 9)}.${r.int(0, 20)}.${r.int(0, 40)}`,
            `v${r.int(1, 9)}.${r.int(0, 20)}.${r.int(0, 9)}.${r.int(0, 9)}`,
            `${r.int(1, 5)}.0.0-rc.${r.int(1, 9)}+build.${r.int(1, 999)}`,
          ]),
        ),
    ],
    [
      'price',
      (r) =>
        around(
          r,
          'price',
          r.pick([
            `$${r.int(1, 9)},${r.digits(3)}.${r.digits(2)}`,
            `${r.int(1000, 9999)}.${r.digits(2)}`,
            `€ ${r.int(1, 999)},${r.digits(2)}`,
            `${r.int(1, 9)}.${r.digits(3)},${r.digits(2)} EUR`,
          ]),
        ),
    ],
    ['OID', (r) => around(r, 'oid', `1.3.6.1.4.1.${r.int(1, 60000)}.${r.int(1, 20)}`)],
    ['MAC address', (r) => around(r, 'device', Array.from({ length: 6 }, () => r.chars(HEX, 2)).join(':'))],
    ['words', (r) => `${capital(clause(r))}, then ${clause(r)}.`],
  ]);
}

function sharedPool(r: Random, n: number): Negative[] {
  const header = (r: Random) =>
    [
      `${r.pick(['GET', 'POST', 'PUT'])} ${r.pick(PATHS)}?page=${r.int(1, 9)} HTTP/1.1`,
      `Host: ${host(r)}`,
      `User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:${r.int(110, 130)}.0) Gecko/20100101 Firefox/${r.int(110, 130)}.0`,
      `Accept: application/json`,
      `Accept-Language: en-GB,en;q=0.9`,
      `X-Request-Id: ${uuid(r)}`,
      `Content-Length: ${r.int(2, 9000)}`,
    ].join('\r\n');
  return draw(r, n, [
    ['sentence', (r) => `${capital(clause(r))}, and ${clause(r)}.`],
    ['sentence', (r) => `${capital(clause(r))}. ${capital(clause(r))}.`],
    ['json document', (r) => jsonDoc(r, 'type').replace(SLOT, `${r.pick(NOUNS)}.${r.pick(VERBS)}`)],
    [
      'json document',
      (r) =>
        JSON.stringify({
          detail: fillerFields(r),
          source: `${r.pick(SERVICES)}.service`,
          time: isoTimestamp(r),
        }),
    ],
    [
      'log line',
      (r) =>
        logLine(
          r,
          `${r.pick(['GET', 'POST'])} ${r.pick(PATHS)} ${r.pick([200, 201, 204, 404])} ${r.int(1, 900)}ms`,
        ),
    ],
    ['log line', (r) => logLine(r, capital(clause(r)))],
    [
      'url',
      (r) =>
        `https://${host(r)}${r.pick(PATHS)}/${r.chars(LOWER + DIGITS, 8)}?page=${r.int(1, 20)}&sort=${r.pick(['price', 'date', 'name'])}&q=${encodeURIComponent(r.pick(PRODUCTS))}`,
    ],
    ['http request headers', header],
    [
      'api gateway event (no credentials)',
      (r) =>
        JSON.stringify({
          resource: r.pick(PATHS),
          path: r.pick(PATHS),
          httpMethod: r.pick(['GET', 'POST']),
          headers: {
            accept: 'application/json',
            'content-type': 'application/json',
            'x-request-id': uuid(r),
          },
          queryStringParameters: { page: String(r.int(1, 9)), sort: r.pick(['price', 'date']) },
          requestContext: {
            requestId: uuid(r),
            stage: 'prod',
            requestTimeEpoch: r.int(1_760_000_000_000, 1_800_000_000_000),
          },
          body: JSON.stringify(fillerFields(r)),
          isBase64Encoded: false,
        }),
    ],
    [
      'shipping address',
      (r) =>
        JSON.stringify({
          orderId: `ord-${r.chars(LOWER + DIGITS, 10)}`,
          ship: {
            street: `${r.int(1, 250)} ${r.pick(['High Street', 'Rue de Rivoli', 'Main St', 'Hauptstrasse'])}`,
            city: r.pick(CITIES),
            postcode: r.pick([`EC${r.int(1, 4)}A ${r.int(1, 9)}BB`, r.digits(5)]),
          },
          lines: Array.from({ length: r.int(1, 5) }, () => ({
            sku: `SKU-${r.int(100, 9999)}`,
            qty: r.int(1, 4),
            price: Number(amount(r)),
          })),
        }),
    ],
    [
      'multi-line log',
      (r) => Array.from({ length: r.int(3, 8) }, () => logLine(r, capital(clause(r)))).join('\n'),
    ],
  ]);
}

// ---------------------------------------------------------------------------------------------------------

/** Builds the whole corpus. Each detector gets its own stream of the PRNG, so adding one leaves the others alone. */
export function buildCorpus(options: CorpusOptions = {}): Corpus {
  const seed = options.seed ?? 20261201;
  const n = options.positives ?? 400;
  const nNeg = options.hardNegatives ?? 250;
  const builders: Record<DetectorKey, (r: Random) => [Positive[], Negative[]]> = {
    email: (r) => emailCorpus(r, n, nNeg),
    creditCard: (r) => cardCorpus(r, n, nNeg),
    usSsn: (r) => ssnCorpus(r, n, nNeg),
    awsAccessKeyId: (r) => awsKeyIdCorpus(r, n, nNeg),
    awsSecretAccessKey: (r) => awsSecretCorpus(r, n, nNeg),
    jwt: (r) => jwtCorpus(r, n, nNeg),
    bearerToken: (r) => bearerCorpus(r, n, nNeg),
    iban: (r) => ibanCorpus(r, n, nNeg),
    phone: (r) => phoneCorpus(r, n, nNeg),
    ipAddress: (r) => ipCorpus(r, n, nNeg),
    privateKey: (r) => privateKeyCorpus(r, n, nNeg),
    stripeKey: (r) => stripeCorpus(r, n, nNeg, options.stripeTestKeysAreNegatives ?? false),
    githubToken: (r) => githubCorpus(r, n, nNeg),
    slackToken: (r) => slackCorpus(r, n, nNeg),
    gcpApiKey: (r) => gcpCorpus(r, n, nNeg),
    basicAuth: (r) => basicCorpus(r, n, nNeg),
  };
  const detectors = DETECTOR_NAMES.map((name, i) => {
    const [positives, hardNegatives] = builders[name](new Random(seed + 1000 * (i + 1)));
    return { name, positives, hardNegatives };
  });
  return {
    seed,
    detectors,
    lookAlikes: lookAlikes(new Random(seed + 1), options.lookAlikes ?? 200),
    shared: sharedPool(new Random(seed + 2), options.shared ?? 400),
  };
}

/**
 * A realistic log of about `bytes` characters: log lines, JSON documents and request headers, with a
 * sensitive value of a random type on about one line in ten (the positives of the corpus, recycled).
 */
export function realisticLog(corpus: Corpus, bytes: number, seed: number): string {
  const r = new Random(seed);
  const filler = [...corpus.shared, ...corpus.lookAlikes].map((s) => s.text);
  const secrets = corpus.detectors.flatMap((d) => d.positives.map((p) => p.text));
  const lines: string[] = [];
  let size = 0;
  while (size < bytes) {
    const line = r.chance(0.1) ? r.pick(secrets) : r.pick(filler);
    lines.push(line);
    size += line.length + 1;
  }
  return lines.join('\n');
}

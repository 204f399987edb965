/**
 * `minLength`: every built-in promises that a string shorter than it is returned unchanged, and
 * `redactString` skips the detector for such strings. A promise too large would be a leak, so each value is
 * checked against every positive the other detector tests and the bench corpus use (no substring shorter
 * than `minLength` is masked), against random short strings made of what each detector looks for, and the
 * gate is checked to change no output.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import ts from 'typescript';
import { buildCorpus } from '../../bench/detector-corpus.ts';
import {
  type Detector,
  type DetectorName,
  detectors,
  patternDetector,
  phoneDetector,
  redactString,
  resolveDetectors,
} from '../../src/detectors/index.js';

const MASK = '*****';
const names = Object.keys(detectors) as DetectorName[];
const all: Detector[] = Object.values(detectors);

const minLength = (detector: Detector): number => detector.minLength ?? 0;

/** `list` applied in order without the gate: what `redactString` did before it had one. */
const ungated = (text: string, list: readonly Detector[], mask: string): string =>
  list.reduce((out, detector) => detector.redact(out, mask), text);

/**
 * The first substring of `text` shorter than `limit` that `detector` changes, shortest first, or undefined
 * when there is none. Every substring is tried: a longer string can hide a match a shorter one shows (a
 * character glued to a card number, say), so the masked region of `text` itself is not enough.
 */
function maskedBelow(detector: Detector, text: string, limit: number): string | undefined {
  for (let length = 1; length < limit && length <= text.length; length++) {
    for (let start = 0; start + length <= text.length; start++) {
      const part = text.slice(start, start + length);
      if (detector.redact(part, MASK) !== part) return part;
    }
  }
  return undefined;
}

/** For each detector, the shortest text it masks: `minLength` is its length, so no smaller value is safe. */
const SHORTEST: Readonly<Record<DetectorName, string>> = {
  privateKey: '-----BEGIN PRIVATE KEY-----',
  email: 'a@b.cd',
  slackToken: 'xoxb-1234567890',
  githubToken: `ghp_${'A1'.repeat(18)}`,
  stripeKey: `sk_live_${'a'.repeat(24)}`,
  gcpApiKey: `AIza${'a'.repeat(35)}`,
  awsAccessKeyId: 'AKIAABCDEFGHIJKLMNOP',
  awsSecretAccessKey: `secret=${'A'.repeat(40)}`,
  jwt: 'eyJ.a.',
  basicAuth: 'Basic YTpi', // base64 of `a:b`
  bearerToken: 'Bearer 1',
  iban: 'NO9386011117947',
  creditCard: '4222222222222',
  usSsn: '123-45-6789',
  phone: '+23456789',
  ipAddress: '::1',
};

const corpus = buildCorpus({ seed: 20261201, stripeTestKeysAreNegatives: false });

/** Every string literal of the other detector tests (templates without substitutions included). */
function testLiterals(): string[] {
  const found = new Set<string>();
  for (const file of readdirSync(__dirname)) {
    if (!file.endsWith('.test.ts') || file === 'min-length.test.ts') continue;
    const source = ts.createSourceFile(
      file,
      readFileSync(join(__dirname, file), 'utf8'),
      ts.ScriptTarget.Latest,
    );
    const visit = (node: ts.Node): void => {
      if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) found.add(node.text);
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return [...found];
}

describe('minLength of the built-in detectors', () => {
  it.each(names)('%s declares a whole minLength of at least 1', (name) => {
    const value = detectors[name].minLength;
    expect(Number.isInteger(value)).toBe(true);
    expect(value).toBeGreaterThanOrEqual(1);
  });

  it.each(names)('%s masks a text of exactly minLength characters', (name) => {
    const detector = detectors[name];
    expect(SHORTEST[name]).toHaveLength(minLength(detector));
    expect(detector.redact(SHORTEST[name], MASK)).not.toBe(SHORTEST[name]);
  });

  it.each(names)('%s masks nothing in its shortest text less one character', (name) => {
    const detector = detectors[name];
    const text = SHORTEST[name];
    for (let i = 0; i < text.length; i++) {
      const shorter = text.slice(0, i) + text.slice(i + 1);
      expect(detector.redact(shorter, MASK)).toBe(shorter);
    }
  });

  it('phoneDetector keeps the built-in minLength whatever its options', () => {
    expect(phoneDetector({ requireKeyword: true, keywords: ['t'], window: 1 }).minLength).toBe(
      minLength(detectors.phone),
    );
  });
});

describe('no positive of the other detector tests is masked below minLength', () => {
  const literals = testLiterals();

  it('finds the literals', () => {
    expect(literals.length).toBeGreaterThan(500);
  });

  it.each(names)('%s', (name) => {
    const detector = detectors[name];
    const limit = minLength(detector);
    const positives = literals.filter((text) => detector.redact(text, MASK) !== text);
    expect(positives.length).toBeGreaterThan(0);
    const below = positives.flatMap((text) => {
      const part = maskedBelow(detector, text, limit);
      return part === undefined ? [] : [{ text, part }];
    });
    expect(below).toEqual([]);
  });
});

describe('no positive of the bench corpus is masked below minLength', () => {
  it.each(corpus.detectors.map((entry) => [entry.name, entry] as const))('%s', (name, entry) => {
    const detector = detectors[name];
    const limit = minLength(detector);
    const positives = entry.positives
      .map((p) => p.text)
      .filter((text) => detector.redact(text, MASK) !== text);
    expect(positives.length).toBeGreaterThan(entry.positives.length * 0.9);
    const below = positives.flatMap((text) => {
      const part = maskedBelow(detector, text, limit);
      return part === undefined ? [] : [{ text, part }];
    });
    expect(below).toEqual([]);
  });
});

/** Characters and pieces every detector sees: digits, letters, separators and punctuation. */
const COMMON = [...'0123456789', ...'aAbBcdefxXyzZ', ...' \t\n-._,:;/\\+=@%()[]{}"\'~#*!?&|<>'];

/** What each detector looks for: its prefixes, keywords and the pieces of its shortest match. */
const PIECES: Readonly<Record<DetectorName, readonly string[]>> = {
  privateKey: ['-----BEGIN ', '-----END ', '-----', 'PRIVATE KEY', 'RSA ', 'PGP ', ' BLOCK', '\\n', 'MII'],
  email: ['@', '%40', '%2B', '.co', '.com', 'a.b', 'x@', '@b.cd', '@2x.png', 'jane'],
  slackToken: [
    'xoxb-',
    'xoxp-',
    'xoxe.xoxp-',
    'xapp-',
    'xoxe.',
    'hooks.slack.com/services/',
    'T0',
    'B0',
    '123',
  ],
  githubToken: ['ghp_', 'gho_', 'ghs_', 'github_pat_', 'A1b2C3d4', '1234567890'],
  stripeKey: ['sk_live_', 'rk_live_', 'sk_test_', 'rk_test_', 'pk_live_', 'abc123', 'ABCDEFGH'],
  gcpApiKey: ['AIza', 'AIzaSy', 'A-1_', 'abcdefgh', '12345678'],
  awsAccessKeyId: ['AKIA', 'ASIA', 'ABIA', 'ACCA', 'IOSFODNN7', 'EXAMPLE', 'ABCDEFGH', '12345678'],
  awsSecretAccessKey: [
    'secret',
    'SECRET',
    '_access',
    '_key',
    'Key',
    '=',
    ': ',
    '"',
    '\\"',
    'wJalrXUtnFEMI/K7',
    'AAAAAAAA',
  ],
  jwt: ['eyJ', 'eyJa', '.', '..', 'eyJ.a.', 'eyJhbGciOiJIUzI1NiJ9', '_-', 'x.'],
  basicAuth: ['Basic ', 'basic\t', 'Authorization: ', 'authorization', 'YTpi', 'dXNlcjpwYXNz', '==', '='],
  bearerToken: ['Bearer ', 'bearer\t', 'BEARER ', 'Authorization: ', 'realm=', 'abc.def', '1', '~+/'],
  iban: ['NO93', 'NO9386011117947', 'DE89', 'BE68', 'GB82WEST', '8601', ' 1111', 'no93'],
  creditCard: ['4111', '1111', '4222222222222', '3782', '822463', '10005', ' ', '-', '.'],
  usSsn: ['123', '45', '6789', '123-45-', '123 45 ', '078', '-'],
  phone: ['+', '+1 ', '+44 ', '(415) ', '(415)', '555-', '0132', '2345678', 'tel ', 'phone: '],
  ipAddress: ['::', '::1', ':', '.', 'fe80', 'ffff:', '1.1', '255.', '0.0', '10'],
};

/** Strings shorter than `limit`: random pieces and common characters joined, cut at a random place. */
const shortText = (name: DetectorName, limit: number): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.array(fc.oneof(fc.constantFrom(...PIECES[name]), fc.constantFrom(...COMMON)), { maxLength: 16 }),
      fc.nat(),
      fc.integer({ min: 0, max: limit - 1 }),
    )
    .map(([parts, start, length]) => {
      const text = parts.join('');
      const from = start % (text.length + 1);
      return text.slice(from, from + length);
    });

describe('a string shorter than minLength is returned unchanged', () => {
  it.each(names)('%s', (name) => {
    const detector = detectors[name];
    const limit = minLength(detector);
    fc.assert(
      fc.property(shortText(name, limit), (text) => {
        expect(text.length).toBeLessThan(limit);
        expect(detector.redact(text, MASK)).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('redactString and minLength', () => {
  it('calls a custom detector without minLength on a 1-character string', () => {
    const seen: string[] = [];
    const custom: Detector = {
      name: 'custom',
      redact: (text) => {
        seen.push(text);
        return text === 'x' ? 'y' : text;
      },
    };
    expect(redactString('x', [custom, ...all], MASK)).toBe('y');
    expect(seen).toEqual(['x']);
    const pattern = patternDetector({ name: 'one', pattern: /x/ });
    expect(pattern.minLength).toBeUndefined();
    expect(redactString('x', [pattern], MASK)).toBe(MASK);
  });

  it('skips a detector only below its minLength', () => {
    const seen: string[] = [];
    const custom: Detector = {
      name: 'five',
      minLength: 5,
      redact: (text) => {
        seen.push(text);
        return text;
      },
    };
    redactString('abcd', [custom], MASK);
    redactString('abcde', [custom], MASK);
    expect(seen).toEqual(['abcde']);
  });

  it('gates on the text each detector is given, after the masks before it', () => {
    // A custom detector that lengthens a short text into an address: email must still see it.
    const grow: Detector = { name: 'grow', redact: (text) => (text === 'j' ? 'j@b.cd' : text) };
    expect(redactString('j', [grow, detectors.email], MASK)).toBe(MASK);
    // A mask shorter than the value: the next detector is skipped only if what is left is short.
    const shrink: Detector = { name: 'shrink', redact: (text) => text.replace('long value ', '') };
    expect(redactString('long value a@b.cd', [shrink, detectors.email], MASK)).toBe(MASK);
  });

  it('accepts a user minLength of 0 or more and refuses any other', () => {
    const redact = (text: string) => text;
    expect(resolveDetectors([{ name: 'zero', minLength: 0, redact }])).toHaveLength(1);
    expect(resolveDetectors([{ name: 'seven', minLength: 7, redact }])).toHaveLength(1);
    for (const bad of [-1, Number.NaN, '5', null]) {
      expect(() => resolveDetectors([{ name: 'bad', minLength: bad as unknown as number, redact }])).toThrow(
        /Malformed detector at index 0/,
      );
    }
  });
});

describe('the gate changes no output', () => {
  const seven = resolveDetectors([
    'email',
    'creditCard',
    'usSsn',
    'awsAccessKeyId',
    'awsSecretAccessKey',
    'jwt',
    'bearerToken',
  ]);
  const texts = [
    ...corpus.detectors.flatMap((entry) => [
      ...entry.positives.map((p) => p.text),
      ...entry.hardNegatives.map((n) => n.text),
    ]),
    ...corpus.lookAlikes.map((n) => n.text),
    ...corpus.shared.map((n) => n.text),
  ];

  it.each(['*****', '', '[REDACTED VALUE]'])('on the bench corpus, mask %j', (mask) => {
    const differ = texts.filter(
      (text) =>
        redactString(text, all, mask) !== ungated(text, all, mask) ||
        redactString(text, seven, mask) !== ungated(text, seven, mask),
    );
    expect(differ).toEqual([]);
  });

  it('on every short piece of the bench corpus', () => {
    // The keys and values of a log entry are short: cut the corpus into them.
    const pieces = new Set(texts.flatMap((text) => text.split(/[\s"{},]+/)));
    const differ = [...pieces].filter((piece) => redactString(piece, all, '') !== ungated(piece, all, ''));
    expect(differ).toEqual([]);
  });

  it('on random strings', () => {
    const piece = fc.constantFrom(...COMMON, ...Object.values(PIECES).flat(), ...Object.values(SHORTEST));
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 24 }).map((parts) => parts.join('')),
        fc.constantFrom('*****', '', '[REDACTED VALUE]'),
        (text, mask) => {
          expect(redactString(text, all, mask)).toBe(ungated(text, all, mask));
        },
      ),
      { numRuns: 3000 },
    );
  });
});

import { type DetectorName, detectors, phoneDetector, redactString } from '../../src/detectors/index.js';

const MASK = '*****';
const SIZE = 100_000;
const LARGE = 1_000_000;
// A hang check, not a speed target: a quadratic scan of 100 KB takes minutes, a linear one milliseconds.
const BOUND_MS = 2000;
// The same for 1 MB: a quadratic scan would take hours, a linear one well under a second.
const LARGE_BOUND_MS = 10_000;

const fillTo = (unit: string, size: number): string =>
  unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
const fill = (unit: string): string => fillTo(unit, SIZE);

const B64 = 'dGVzdA';

const inputs: Record<string, string> = {
  'a run of a': fill('a'),
  'a run of A': fill('A'),
  'a run of digits': fill('1'),
  'a run of 4': fill('4'),
  'a run of dots': fill('.'),
  'a run of @': fill('@'),
  'a run of dashes': fill('-'),
  'a run of spaces': fill(' '),
  'a@a@a…': fill('a@'),
  'a.a.a…': fill('a.'),
  'a@ then a.a.a…': `a@${fill('a.')}`,
  'a run of a then @': `${fill('a')}@`,
  '@ then a run of a': `@${fill('a')}`,
  'local chars then @ and a bad domain, repeated': fill('a.b_c+d%e-f@g.'),
  '.@ repeated': fill('.@'),
  '1-1-1-…': fill('1-'),
  '1 1 1 …': fill('1 '),
  '1.1.1.…': fill('1.'),
  '4111-4111-…': fill('4111-'),
  '4111 1111 … (one long grouped run)': fill('4111 1111 '),
  '123-45-123-45-…': fill('123-45-'),
  '123 45 6789 123 45 6789 …': fill('123 45 6789 '),
  'eyJ repeated': fill('eyJ'),
  'eyJ. repeated': fill('eyJ.'),
  'eyJ.. repeated': fill('eyJ..'),
  'eyJa.eyJb space repeated': fill('eyJa.eyJb '),
  'eyJ then a long segment then a dot, repeated twice': `eyJ${'a'.repeat(SIZE / 2)}.eyJ${'a'.repeat(SIZE / 2)}`,
  'bearer bearer …': fill('bearer '),
  'Bearer without tokens': fill('Bearer "'),
  'bearer then many blanks': `bearer${fill(' ')}`,
  'bearerbearer…': fill('bearer'),
  'secret=secret=…': fill('secret='),
  'secret: " repeated': fill('secret: "'),
  'aws_secret_access_key= repeated': fill('aws_secret_access_key='),
  'secret= then a long key run': `secret=${fill('A')}`,
  'secret= then 39 key characters, repeated': fill(`secret=${'A'.repeat(39)} `),
  'AKIA repeated': fill('AKIA'),
  'AKIA and 15 characters, repeated': fill('AKIAIOSFODNN7EXAMP '),
  'a mix of every anchor': fill('a@b.c1-2 3.4 eyJ.x. bearer secret=AKIA '),
  'a mix without separators': fill('a@1eyJbearersecretAKIA4111-'),
  'unicode and surrogates': fill('é😀@1'),
  // URL-encoded e-mail addresses.
  '%40 repeated': fill('%40'),
  'a%40 repeated': fill('a%40'),
  'a%2B repeated then %40': `${fill('a%2B')}%40example.com`,
  '%3D%40 repeated': fill('%3Da%40b'),
  // IBANs.
  'DE89 repeated': fill('DE89'),
  'DE89 and a space, repeated': fill('DE89 '),
  'DE89 3704 repeated': fill('DE89 3704 '),
  'letters and digits of an IBAN, glued': fill('GB82WEST1234'),
  // Phone numbers.
  '+1 repeated': fill('+1 '),
  '+ repeated': fill('+'),
  '+ then a long digit run': `+${fill('1')}`,
  '+44 20 7946 0958 (one long grouped run)': fill('+44 20 7946 0958 '),
  '+1 (415) 555- repeated': fill('+1 (415) 555-'),
  '( repeated': fill('('),
  '(415) repeated': fill('(415) '),
  '415-555-0132 repeated': fill('415-555-0132 '),
  '415 555 0132 repeated': fill('415 555 0132 '),
  '1-415- repeated': fill('1-415-'),
  // IP addresses.
  ': repeated': fill(':'),
  ':: repeated': fill('::'),
  '1: repeated': fill('1:'),
  'a: repeated': fill('a:'),
  'ffff: repeated': fill('ffff:'),
  'fe80::1 repeated': fill('fe80::1 '),
  'a run of hex letters': fill('abcdef'),
  '1.1.1.1. repeated': fill('1.1.1.1.'),
  '255.255.255.255, repeated': fill('255.255.255.255,'),
  '10.0.0.1- repeated': fill('10.0.0.1-'),
  'a:1.2.3.4: repeated': fill('a:1.2.3.4:'),
  'version 1.2.3.4 repeated': fill('version 1.2.3.4 '),
  // Private keys.
  '-----BEGIN repeated': fill('-----BEGIN '),
  '-----BEGIN PRIVATE KEY----- repeated': fill('-----BEGIN PRIVATE KEY-----'),
  'a BEGIN line, then -----END  repeated': `-----BEGIN RSA PRIVATE KEY-----${fill('-----END ')}`,
  'a BEGIN line, then certificate END lines': `-----BEGIN EC PRIVATE KEY-----${fill('-----END CERTIFICATE-----')}`,
  'BEGIN and END private key blocks, repeated': fill(
    '-----BEGIN PRIVATE KEY-----\\nMII\\n-----END PRIVATE KEY-----\n',
  ),
  // Prefixed tokens.
  'sk_live_ repeated': fill('sk_live_'),
  'sk_live_ glued, repeated': fill('ask_live_'),
  'sk_live_ then a long body': `sk_live_${fill('a')}`,
  'ghp_ repeated': fill('ghp_'),
  'ghp_ glued, repeated': fill('xghp_'),
  'github_pat_ repeated': fill('github_pat_'),
  'xoxb- repeated': fill('xoxb-'),
  'xoxe.xoxp- glued, repeated': fill('axoxe.xoxp-'),
  'xoxb- then a long body without digits': `xoxb-${fill('a')}`,
  'hooks.slack.com/services/ repeated': fill('hooks.slack.com/services/'),
  'AIza repeated': fill('AIza'),
  'AIza glued, repeated': fill('xAIza'),
  // Basic credentials.
  'Basic repeated': fill('Basic '),
  'Basic and a short token, repeated': fill(`Basic ${B64} `),
  'Basic then a long token': `Basic ${fill('A')}`,
  'basic glued to a token, repeated': fill('Basic a/basic '),
  'Authorization: Basic repeated': fill('Authorization: Basic '),
  'separators before Basic, repeated': fill('\\": \\"Basic '),
  // Dotted card numbers.
  '4111. repeated': fill('4111.'),
  // Image names with a display density.
  'logo@2x.png repeated': fill('logo@2x.png '),
  '@2x. repeated': fill('@2x.'),
  '%401.5x.png repeated': fill('a%401.5x.png'),
  // Documentation secrets.
  'secret= and a documentation secret, repeated': fill('secret=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY '),
  'secret= then EXAMPLEKEY repeated': `secret=${fill('EXAMPLEKEY')}`,
  // Bearer challenges and prose.
  'Bearer realm= repeated': fill('Bearer realm="a", '),
  'Bearer a= repeated': fill('Bearer a='),
  'Bearer and a word, repeated': fill('Bearer token '),
  'Bearer then a long auth-param name': `Bearer ${fill('a')}=`,
  'Bearer then dots': `Bearer ${fill('.')}`,
  'Authorization: Bearer repeated': fill('Authorization: Bearer '),
  'Authorization separators repeated': fill('Authorization: " \\'),
  // Product versions and ports.
  'Chrome/1.2.3.4 repeated': fill('Chrome/1.2.3.4 '),
  'a/1.2.3.4 glued, repeated': fill('a/1.2.3.4'),
  '/1.2.3.4 repeated': fill('/1.2.3.4'),
  'a long product name then a version': `${fill('a')}/1.2.3.4`,
  '1.2.3.4:80, repeated': fill('1.2.3.4:80,'),
  '1.2.3.4:80 1 repeated': fill('1.2.3.4:80 1'),
  '1.2.3.4:80. repeated': fill('1.2.3.4:80.'),
};

const names = Object.keys(detectors) as DetectorName[];
const cases = names.flatMap((name) =>
  Object.entries(inputs).map(([label, text]) => [name, label, text] as const),
);

describe('adversarial 100 KB inputs', () => {
  test.each(cases)('%s finishes on %s', (name, _label, text) => {
    const started = performance.now();
    const out = detectors[name].redact(text, MASK);
    expect(performance.now() - started).toBeLessThan(BOUND_MS);
    expect(typeof out).toBe('string');
  });

  test.each(Object.entries(inputs))('all detectors together finish on %s', (_label, text) => {
    const started = performance.now();
    redactString(text, Object.values(detectors), MASK);
    expect(performance.now() - started).toBeLessThan(BOUND_MS);
  });

  test.each(Object.entries(inputs))('a keyword phone detector finishes on %s', (_label, text) => {
    const keywordPhone = phoneDetector({ requireKeyword: true, window: 1000 });
    const started = performance.now();
    keywordPhone.redact(`phone ${text}`, MASK);
    expect(performance.now() - started).toBeLessThan(BOUND_MS);
  });
});

/** 1 MB inputs aimed at each detector added with the second set of built-ins. */
const large: Record<string, readonly string[]> = {
  iban: ['DE89', 'DE89 3704 ', 'GB82WEST1234'],
  phone: ['+1 ', '+', '+44 20 7946 0958 ', '(415) ', '415 555 0132 ', '1 '],
  ipAddress: [
    '::',
    '1:',
    '1.',
    'ffff:',
    'a:1.2.3.4:',
    '10.0.0.1-',
    'Chrome/1.2.3.4 ',
    'a/1.2.3.4',
    '1.2.3.4:80,',
  ],
  bearerToken: ['Bearer realm="a", ', 'Bearer a=', 'Bearer token ', 'Authorization: Bearer '],
  awsSecretAccessKey: ['secret=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY ', 'EXAMPLEKEY'],
  privateKey: ['-----BEGIN ', '-----BEGIN PRIVATE KEY-----', '-----END CERTIFICATE-----'],
  stripeKey: ['sk_live_', 'ask_live_', 'a'],
  githubToken: ['ghp_', 'xghp_', 'github_pat_'],
  slackToken: ['xoxb-', 'axoxe.xoxp-', 'hooks.slack.com/services/', 'a'],
  gcpApiKey: ['AIza', 'xAIza', 'A'],
  basicAuth: ['Basic ', 'Basic a/basic ', 'Authorization: Basic ', 'A'],
  email: ['%40', 'a%40', 'a%2B', 'logo@2x.png ', '@2x.'],
  creditCard: ['4111.', '4111.1111.'],
  awsAccessKeyId: ['AKIAIOSFODNN7EXAMPLE ', 'AKIA'],
};
const largeCases = Object.entries(large).flatMap(([name, units]) =>
  units.map((unit) => [name as DetectorName, unit] as const),
);

describe('adversarial 1 MB inputs', () => {
  test.each(largeCases)('%s finishes on %j repeated', (name, unit) => {
    const text = fillTo(unit, LARGE);
    const started = performance.now();
    detectors[name].redact(text, MASK);
    expect(performance.now() - started).toBeLessThan(LARGE_BOUND_MS);
  });

  test.each(largeCases)('all detectors together finish on the %s input %j repeated', (_name, unit) => {
    const text = fillTo(unit, LARGE);
    const started = performance.now();
    redactString(text, Object.values(detectors), MASK);
    expect(performance.now() - started).toBeLessThan(LARGE_BOUND_MS);
  });

  test.each([
    ['sk_live_', 'a'],
    ['github_pat_', 'a'],
    ['xoxb-', 'a'],
    ['AIza', 'A'],
    ['Basic ', 'A'],
    ['-----BEGIN PRIVATE KEY-----', 'A'],
  ])('all detectors together finish on %j and a 1 MB body of %j', (prefix, body) => {
    const started = performance.now();
    redactString(prefix + fillTo(body, LARGE), Object.values(detectors), MASK);
    expect(performance.now() - started).toBeLessThan(LARGE_BOUND_MS);
  });
});

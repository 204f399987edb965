import { type Detector, type DetectorName, detectors, redactString } from '../../src/detectors/index.js';

const MASK = '*****';
const all: Detector[] = Object.values(detectors);

const benign = [
  'plain text with nothing sensitive',
  'ordinary numbers 12345 and 3.14 and 1,000,000',
  'amount: $1,234,567.89 and -42 and 0.000000000000001',
  'order ORD-2024-000123 shipped',
  'order 98765432 shipped',
  'request 550e8400-e29b-41d4-a716-446655440000 done',
  'uuids 123e4567-e89b-12d3-a456-426614174000 9f1c5d2e-0000-4000-8000-000000000000',
  'sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709',
  'sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  'a 16-digit number failing Luhn: 4111111111111112',
  'a 40-character string alone: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'Bearer',
  'the word Bearer, then nothing',
  'call +1 555 0100 or (555) 010-0199 or +44 20 7946 0958',
  'ISO dates 2024-01-15T10:20:30.123Z and 2024-01-15 10:20:30',
  'epoch ms 1700000000000 and epoch s 1700000000',
  'IP 192.168.0.1 and version 1.2.3-beta.4',
  '{"id":12345,"price":3.14,"qty":1000000,"ok":true}',
  'https://example.com/path?q=1&page=2#frag',
  'at sign alone @ and twitter @handle',
  'a secret without a value: secret=',
  'keyJar.def.ghi and jeyJ',
];

describe('false positives', () => {
  test.each(benign)('all detectors leave %j unchanged', (text) => {
    expect(redactString(text, all, MASK)).toBe(text);
  });

  test.each(Object.keys(detectors) as DetectorName[])(
    '%s alone leaves every benign text unchanged',
    (name) => {
      for (const text of benign) expect(detectors[name].redact(text, MASK)).toBe(text);
    },
  );
});

describe('mixed text', () => {
  test('masks several kinds of secret in one log line and nothing else', () => {
    const line =
      'user=jane@example.com card=4111-1111-1111-1111 ssn=123-45-6789 key=AKIAIOSFODNN7EXAMPLE ' +
      'aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY ' +
      'auth="Bearer opaque-token" jwt=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln order=ORD-2024-000123 total=3.14';
    expect(redactString(line, all, MASK)).toBe(
      'user=***** card=***** ssn=***** key=***** aws_secret_access_key=***** ' +
        'auth="Bearer *****" jwt=***** order=ORD-2024-000123 total=3.14',
    );
  });
});

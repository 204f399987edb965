import { detectors } from '../../src/detectors/index.js';

const MASK = '*****';
// Not one of the documentation's `…EXAMPLEKEY` placeholders, which the detector leaves alone.
const KEY = 'Tk3vQ9mXr7Lp/2Wz8Ny4Hb6Jd1Fs5Gc0Va+Ue7Ko';
const DOC_KEYS = ['wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY'];

describe('awsAccessKeyId detector', () => {
  const redact = (text: string): string => detectors.awsAccessKeyId.redact(text, MASK);

  test.each([
    ['AKIAY34FZKBOKMUTVV7A', '*****'],
    ['key=AKIAY34FZKBOKMUTVV7A&x=1', 'key=*****&x=1'],
    ['{"AccessKeyId":"ASIAY34FZKBOKMUTVV7A"}', '{"AccessKeyId":"*****"}'],
    ['ABIA1234567890ABCDEF ACCA1234567890ABCDEF', '***** *****'],
    ['keys AKIAY34FZKBOKMUTVV7A, ASIAQ2XYZW3V4U5T6S7R.', 'keys *****, *****.'],
    ['an id that only contains EXAMPLE: AKIAEXAMPLEQ2XYZW3V4', 'an id that only contains EXAMPLE: *****'],
  ])('masks %j', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  test.each(['AKIAIOSFODNN7EXAMPLE', 'AKIAI44QH8DHBEXAMPLE', 'ASIAIOSFODNN7EXAMPLE', 'AKIAJ2EXAMPLEEXAMPLE'])(
    'leaves the documentation placeholder %s alone',
    (id) => {
      expect(redact(id)).toBe(id);
      expect(redact(`aws_access_key_id = ${id}`)).toBe(`aws_access_key_id = ${id}`);
    },
  );

  test.each([
    ['too short', 'AKIAY34FZKBOKMUTVV7'],
    ['too long', 'AKIAY34FZKBOKMUTVV7AX'],
    ['glued to a word before', 'xAKIAY34FZKBOKMUTVV7A'],
    ['lower case', 'akiaiosfodnn7example'],
    ['lower case in the body', 'AKIAiosfodnn7example'],
    ['an unknown prefix', 'AXYZIOSFODNN7EXAMPLE'],
    ['a principal id, not a credential', 'AIDAJQABLZS4A3QDU576'],
  ])('leaves %s alone', (_label, input) => {
    expect(redact(input)).toBe(input);
  });
});

describe('awsSecretAccessKey detector', () => {
  const redact = (text: string): string => detectors.awsSecretAccessKey.redact(text, MASK);

  test.each([
    [`aws_secret_access_key=${KEY}`, 'aws_secret_access_key=*****'],
    [`AWS_SECRET_ACCESS_KEY = ${KEY}\nregion=us-east-1`, 'AWS_SECRET_ACCESS_KEY = *****\nregion=us-east-1'],
    [`{"SecretAccessKey": "${KEY}", "Expiration": 1}`, '{"SecretAccessKey": "*****", "Expiration": 1}'],
    [`{"secret": "${KEY}"}`, '{"secret": "*****"}'],
    [`secretKey: '${KEY}'`, "secretKey: '*****'"],
    [`secret_access_key:${KEY}`, 'secret_access_key:*****'],
    [`secret-key ${KEY}`, 'secret-key *****'],
    [`msg="{\\"secret\\": \\"${KEY}\\"}"`, 'msg="{\\"secret\\": \\"*****\\"}"'],
    [`a secret=${KEY} b secretKey=${KEY}`, 'a secret=***** b secretKey=*****'],
    [`secret=${KEY}A+/B end`, 'secret=***** end'],
    [`client_secret: ${'f'.repeat(64)}`, 'client_secret: *****'],
  ])('masks the value only in %j', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  test.each(DOC_KEYS)('leaves the documentation placeholder %s alone', (key) => {
    for (const text of [
      `export AWS_SECRET_ACCESS_KEY=${key}`,
      `aws_secret_access_key = ${key}`,
      `{"SecretAccessKey": "${key}", "Expiration": 1}`,
      `msg="{\\"secret\\": \\"${key}\\"}"`,
    ]) {
      expect(redact(text)).toBe(text);
    }
  });

  test.each([
    ['a key that ends in EXAMPLEKEY but is longer than 40', `secret=${KEY}EXAMPLEKEY`, 'secret=*****'],
    ['a key with EXAMPLEKEY inside', 'secret=wJalrXUtnFEMI/K7MDENG/EXAMPLEKEYbPxRfiCY', 'secret=*****'],
    ['a key that ends in examplekey, lower case', `secret=${KEY.slice(0, 30)}examplekey`, 'secret=*****'],
    [
      'a real key next to a placeholder',
      `a secret=${DOC_KEYS[0]} b secret=${KEY}`,
      `a secret=${DOC_KEYS[0]} b secret=*****`,
    ],
  ])('masks %s', (_label, input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  test.each([
    ['a 40-character string without a name', `value=${KEY}`],
    ['a SHA-1 digest', 'sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709'],
    ['a value of 39 characters', `secret=${KEY.slice(1)}`],
    ['a name glued to the value', `secretKey${KEY}`],
    ['a longer word', `secretary: ${KEY}`],
    ['an id, not a secret', `secret_access_key_id=${KEY}`],
    ['the name alone', 'aws_secret_access_key='],
    ['a value with other characters', `secret=${KEY.slice(0, 39)}-`],
  ])('leaves %s alone', (_label, input) => {
    expect(redact(input)).toBe(input);
  });
});

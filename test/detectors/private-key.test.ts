import { detectors } from '../../src/detectors/index.js';

const MASK = '*****';
const redact = (text: string): string => detectors.privateKey.redact(text, MASK);

const BODY =
  'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\nMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu';
const block = (label: string, newline = '\n'): string =>
  `-----BEGIN ${label}-----${newline}${BODY.replace(/\n/g, newline)}${newline}-----END ${label}-----`;

describe('privateKey detector', () => {
  test.each([
    'PRIVATE KEY',
    'RSA PRIVATE KEY',
    'EC PRIVATE KEY',
    'DSA PRIVATE KEY',
    'ENCRYPTED PRIVATE KEY',
    'OPENSSH PRIVATE KEY',
    'PGP PRIVATE KEY BLOCK',
  ])('masks a whole %s block, BEGIN and END lines included', (label) => {
    expect(redact(block(label))).toBe(MASK);
    expect(redact(`key:\n${block(label)}\nnext line`)).toBe(`key:\n${MASK}\nnext line`);
  });

  test('masks a block inside a JSON string, where new lines are the two characters \\n', () => {
    const json = JSON.stringify({ key: `${block('RSA PRIVATE KEY')}\n`, user: 'svc' });
    expect(json).toContain('\\n');
    expect(redact(json)).toBe(`{"key":"${MASK}\\n","user":"svc"}`);
  });

  test('masks a block with Windows line ends and one written on a single line', () => {
    expect(redact(block('PRIVATE KEY', '\r\n'))).toBe(MASK);
    expect(redact(`x ${block('PRIVATE KEY', ' ')} y`)).toBe(`x ${MASK} y`);
  });

  test('masks every block of a text, and what lies between them stays', () => {
    expect(redact(`${block('EC PRIVATE KEY')}\nbetween\n${block('PRIVATE KEY')}`)).toBe(
      `${MASK}\nbetween\n${MASK}`,
    );
  });

  test('masks from BEGIN to the end of the text when the END line is missing (fail closed)', () => {
    expect(redact(`log: -----BEGIN RSA PRIVATE KEY-----\n${BODY}`)).toBe(`log: ${MASK}`);
    expect(redact(`{"k":"-----BEGIN PRIVATE KEY-----\\nMIIEvQ`)).toBe(`{"k":"${MASK}`);
  });

  test('an END line of another kind does not close a private key', () => {
    const text = `-----BEGIN PRIVATE KEY-----\n${BODY}\n-----END CERTIFICATE-----\ntail`;
    expect(redact(text)).toBe(MASK);
  });

  test('an END line with another private key label closes the block', () => {
    expect(redact(`-----BEGIN PRIVATE KEY-----\n${BODY}\n-----END RSA PRIVATE KEY-----\ntail`)).toBe(
      `${MASK}\ntail`,
    );
  });

  test.each([
    ['a certificate', block('CERTIFICATE')],
    ['a public key', block('PUBLIC KEY')],
    ['an RSA public key', block('RSA PUBLIC KEY')],
    ['a PGP public key block', block('PGP PUBLIC KEY BLOCK')],
    ['a certificate request', block('CERTIFICATE REQUEST')],
    ['an END line alone', '-----END PRIVATE KEY-----'],
    ['a lower-case label', '-----BEGIN private key-----\nabc'],
    ['four dashes', '----BEGIN PRIVATE KEY----\nabc'],
    ['the words alone', 'rotate the private key every 90 days'],
  ])('leaves %s alone', (_label, input) => {
    expect(redact(input)).toBe(input);
  });
});

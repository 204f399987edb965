import { detectors } from '../../src/detectors/index.js';

const MASK = '*****';
const redact = (text: string): string => detectors.iban.redact(text, MASK);

/** Valid IBANs from the registry's examples and banks' published test accounts. */
const VALID = [
  'DE89370400440532013000',
  'GB82WEST12345698765432',
  'GB29NWBK60161331926819',
  'FR1420041010050500013M02606',
  'ES9121000418450200051332',
  'NL91ABNA0417164300',
  'BE68539007547034',
  'CH9300762011623852957',
  'IT60X0542811101000000123456',
  'NO9386011117947',
  'AT611904300234573201',
  'PL61109010140000071219812874',
  'SE4550000000058398257466',
  'MT84MALT011000012345MTLCAST001S',
  'SA0380000000608010167519',
  'BR1800360305000010009795493C1',
  'LC55HEMM000100010012001200023015',
  'AE070331234567890123456',
];

/** ISO 7064 mod 97, computed independently with BigInt. */
function mod97(iban: string): bigint {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  const digits = [...rearranged].map((c) => (/\d/.test(c) ? c : String(c.charCodeAt(0) - 55))).join('');
  return BigInt(digits) % 97n;
}

const printFormat = (iban: string): string => iban.replace(/(.{4})(?=.)/g, '$1 ');

describe('iban detector', () => {
  test.each(VALID)('masks %s, compact and in print format', (iban) => {
    expect(mod97(iban)).toBe(1n);
    expect(redact(iban)).toBe(MASK);
    expect(redact(`IBAN: ${printFormat(iban)}.`)).toBe(`IBAN: ${MASK}.`);
  });

  test.each([
    ['pay to DE89370400440532013000 today', 'pay to ***** today'],
    ['{"iban":"DE89 3704 0044 0532 0130 00","bic":"COBADEFFXXX"}', '{"iban":"*****","bic":"COBADEFFXXX"}'],
    [
      'https://pay.example.com/?iban=GB82WEST12345698765432&amount=10',
      'https://pay.example.com/?iban=*****&amount=10',
    ],
    ['lower case de89370400440532013000', 'lower case *****'],
    ['iban=gb82west12345698765432;', 'iban=*****;'],
    ['two: DE89370400440532013000, NL91ABNA0417164300', 'two: *****, *****'],
    ['(DE89 3704 0044 0532 0130 00)', '(*****)'],
    ['DE89 3704 0044 0532 0130 00 12 more', '***** 12 more'],
  ])('masks %j', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  test.each([
    ['a wrong check digit', 'DE88370400440532013000'],
    ['a changed account digit', 'DE89370400440532013001'],
    ['one character too few', 'DE8937040044053201300'],
    ['one character too many', 'DE893704004405320130000'],
    ['an unknown country', 'XX89370400440532013000'],
    ['a country code in mixed case', 'De89370400440532013000'],
    ['glued to a word before', 'xDE89370400440532013000'],
    ['glued to a word after', 'DE89370400440532013000x'],
    ['glued to an underscore', 'DE89370400440532013000_1'],
    ['double spaces between groups', 'DE89  3704  0044  0532  0130  00'],
    ['groups of three', 'DE8 937 040 044 053 201 300 0'],
    ['dashes between groups', 'DE89-3704-0044-0532-0130-00'],
    ['a group too long in print format', 'DE89 37040 044 0532 0130 00'],
    ['a UUID', '550e8400-e29b-41d4-a716-446655440000'],
    ['a SHA-256 digest', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['an order number', 'ORD-2024-000123'],
    ['a base64 blob', 'REU4OTM3MDQwMDQ0MDUzMjAxMzAwMA=='],
    ['a tracking number', '1Z999AA10123456784'],
    ['a product code', 'DE12ABC'],
  ])('leaves %s alone', (_label, input) => {
    expect(redact(input)).toBe(input);
  });
});

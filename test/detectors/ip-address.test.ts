import { detectors } from '../../src/detectors/index.js';

const MASK = '*****';
const redact = (text: string): string => detectors.ipAddress.redact(text, MASK);

describe('ipAddress detector', () => {
  test.each([
    ['client 192.168.1.10 connected', 'client ***** connected'],
    ['0.0.0.0 and 255.255.255.255', '***** and *****'],
    ['from 203.0.113.7.', 'from *****.'],
    ['X-Forwarded-For: 203.0.113.7, 198.51.100.2', 'X-Forwarded-For: *****, *****'],
    ['xff=203.0.113.7,198.51.100.2', 'xff=*****,*****'],
    ['range 10.0.0.1-10.0.0.255', 'range *****-*****'],
    ['listening on 10.0.0.1:8080', 'listening on *****:8080'],
    ['{"sourceIp":"203.0.113.7","port":443}', '{"sourceIp":"*****","port":443}'],
    ['http://192.168.0.1/admin?x=1', 'http://*****/admin?x=1'],
    ['subnet 10.0.0.0/8', 'subnet *****/8'],
    ['ip=10.0.0.1&x=2', 'ip=*****&x=2'],
    ['ip:10.0.0.1', 'ip:*****'],
    ['remote:10.0.0.1 source:10.0.0.2', 'remote:***** source:*****'],
    ['host 10.0.0.1: connection refused', 'host *****: connection refused'],
    ['2001:db8::8a2e:370:7334', '*****'],
    ['2001:0db8:85a3:0000:0000:8a2e:0370:7334', '*****'],
    ['2001:DB8:0:0:8:800:200C:417A', '*****'],
    ['::1 is loopback', '***** is loopback'],
    ['fe80::1%eth0', '*****%eth0'],
    ['[2001:db8::1]:443', '[*****]:443'],
    ['2001:db8::/32', '*****/32'],
    ['mapped ::ffff:192.0.2.1', 'mapped *****'],
    ['64:ff9b::192.0.2.33', '*****'],
    ['peer fe80::1: refused', 'peer *****: refused'],
    ['{"ip":"2001:db8::1"}', '{"ip":"*****"}'],
    ['a list fe80::1,fe80::2', 'a list *****,*****'],
  ])('masks %j', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  test.each([
    ['http://39.185.245.24:443/health', 'http://*****:443/health'],
    ['http://192.168.75.235:8080/health', 'http://*****:8080/health'],
    ['{"host":"10.0.0.1:5432"}', '{"host":"*****:5432"}'],
    ['connect 10.0.0.1:8080 failed', 'connect *****:8080 failed'],
    ['host 10.0.0.1:80.', 'host *****:80.'],
    ['brokers=10.0.0.1:9092,10.0.0.2:9092', 'brokers=*****:9092,*****:9092'],
    ['10.0.0.1:80-10.0.0.2:90', '*****:80-*****:90'],
    ['[::1]:8080 and [2001:db8::1]:443', '[*****]:8080 and [*****]:443'],
  ])('masks the address and keeps the port in %j', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  test.each([
    ['10.0.0.1:415 555 0132', '***** 555 0132'],
    ['10.0.0.1:1 (415) 555-0132', '***** (415) 555-0132'],
  ])('masks a port that may open a number with the address in %j', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  test.each([
    ['http://10.0.0.1/', 'http://*****/'],
    ['//1.2.3.4', '//*****'],
    ['https://example.com/10.0.0.1', 'https://example.com/*****'],
    ['GET /hosts/10.0.0.1', 'GET /hosts/*****'],
    ['user:pass@10.0.0.1/db', 'user:pass@*****/db'],
    ['cidr 10.0.0.0/8 and 10.1.0.0/16', 'cidr *****/8 and *****/16'],
    [`${'a'.repeat(33)}/10.0.0.1`, `${'a'.repeat(33)}/*****`],
  ])('masks an address after / that is not a product version in %j', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  test.each([
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36',
    'Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0.1.2 Safari/605.1.15',
    '{"userAgent":"HeadlessChrome/120.0.0.0"}',
    'Chrome/123.0.0.0',
    'ua=OPR/109.0.0.0;python-requests/2.31.0.1|aws_sdk/1.2.3.4',
    '"Edg/123.0.0.0"',
    '(Electron/28.2.0.1)',
    `${'a'.repeat(32)}/10.0.0.1`,
  ])('leaves the product version in %j alone', (input) => {
    expect(redact(input)).toBe(input);
  });

  test.each([
    ['an octet over 255', '256.1.1.1'],
    ['a leading zero', '01.2.3.4 and 10.0.0.01'],
    ['three parts', '1.2.3'],
    ['five parts', '1.2.3.4.5'],
    ['an OID', '1.3.6.1.4.1.311.21.20'],
    ['a version with a v', 'v1.2.3.4'],
    ['a version with a pre-release', '1.2.3.4-beta and 10.0.0.1-rc1'],
    ['a named version', 'version 1.2.3.4, "ver": "4.3.2.1", Version=1.0.0.1'],
    ['glued to a word', 'x10.0.0.1 and 10.0.0.1x and ip_10.0.0.1'],
    ['a dotted quad followed by a word', '1.2.3.4.x'],
    ['joined to a number by a dash', '10.0.0.1-5 and 5-10.0.0.1'],
    ['joined to a number by a comma', '10.0.0.1,5'],
    ['a clock time', '10:30:00'],
    ['an ISO timestamp', '2024-01-15T10:20:30.123Z'],
    ['a date and a time', '2024-01-15 10:20:30'],
    ['a MAC address', '00:1A:2B:3C:4D:5E and 00:1a:2b:3c:4d:5e'],
    ['an EUI-64 written in pairs', '00:1a:2b:ff:fe:3c:4d:5e'],
    ['C++ and Rust paths', 'std::vector<int> and Abc::Def::new()'],
    ['hex words and colons', 'dead:beef::cafe'],
    ['a double colon alone', 'a :: b'],
    ['nine groups', '1:2:3:4:5:6:7:8:9'],
    ['two double colons', '1::2::3'],
    ['a group too long', '2001:db8::12345'],
    ['seven groups without a double colon', '2001:db8:0:0:0:0:1'],
    ['a port too long', '10.0.0.1:123456'],
    ['a UUID', '550e8400-e29b-41d4-a716-446655440000'],
    ['a price', '$1,234.56'],
    ['a decimal', '3.14159'],
    ['an ARN', 'arn:aws:dynamodb:eu-west-1:111122223333:table/orders'],
  ])('leaves %s alone', (_label, input) => {
    expect(redact(input)).toBe(input);
  });
});

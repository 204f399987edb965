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
  'call +1 555 0100 or (555) 010-0199',
  'ISO dates 2024-01-15T10:20:30.123Z and 2024-01-15 10:20:30',
  'epoch ms 1700000000000 and epoch s 1700000000',
  'version 1.2.3-beta.4 and v1.2.3.4 and 1.2.3.4-rc1',
  '{"id":12345,"price":3.14,"qty":1000000,"ok":true}',
  'https://example.com/path?q=1&page=2#frag',
  'at sign alone @ and twitter @handle',
  'a secret without a value: secret=',
  'keyJar.def.ghi and jeyJ',
  // Dates, times and durations.
  'due 2026-12-01, at 10:30:00, took 00:01:30.250, offset +05:30, zone -08:00',
  'timestamps 2026-12-01T10:30:00+01:00 and 20261201T103000Z and 12/01/2026 and 01.12.2026',
  // Ids, order and tracking numbers.
  'order 4155550132 and invoice INV/2026/04/0042 and SKU-4111-22 and ref 2026-000123-7',
  'tracking 1Z999AA10123456784 and 9400111899223197428490 and 123456789012',
  'account 111122223333 and ean 4006381333931 and zip 94107-1234',
  'arn:aws:dynamodb:eu-west-1:111122223333:table/orders',
  'trace Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
  'ORD-415-555-0132 and SKU 256 512 1024 2048',
  // Hashes and encoded blobs.
  'md5 d41d8cd98f00b204e9800998ecf8427e and git 4b825dc642cb6eb9a060e54bf8d69288fbee4904',
  'blob SGVsbG8sIFdvcmxkIQ== and dGhpcyBpcyBub3QgYSBzZWNyZXQ=',
  'hex deadbeefcafebabe0123456789abcdef and dead:beef::cafe',
  // Versions, numbers, network-looking things that are not addresses.
  'node 22.23.3, OID 1.3.6.1.4.1.311.21.20, build 10.0.19045.3803',
  'MAC 00:1A:2B:3C:4D:5E and 00-1A-2B-3C-4D-5E, time 10:30:00',
  'C++ std::vector<int> and Rust Vec::new() and a :: b',
  'scores +12 -3 and +1234567 and 1+1=2 and +123456.78 and +20.000.000',
  'IBAN-like DE89370400440532013001 (bad check digits) and GB00WEST12345698765432',
  'card-like 4111.1111.1111.1112 and 0.4111.1111.1111.1111',
  // Words that are also anchors.
  'basic usage, Basic plan, WWW-Authenticate: Basic realm="api"',
  'the private key lives in KMS; -----BEGIN CERTIFICATE-----',
  'keys pk_live_4eC39HqLyjWDarjtT1zdp7dc, ghp_short, xoxb-your-bot-token, AIzaShort',
  'hooks.slack.com/ and https://api.slack.com/apps',
  'docs key AKIAIOSFODNN7EXAMPLE and AKIAI44QH8DHBEXAMPLE',
  'percent 100%40 items and 5%40',
  // Image names with a display density, documentation secrets, "bearer" in prose and challenges.
  '{"icon":"logo@3x.png","avatar":"avatar@2x.webp","hero":"hero@1.5x.jpg"} and img/logo@2x.png',
  'export AWS_SECRET_ACCESS_KEY=je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY',
  'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'This API accepts Bearer authentication only. The bearer of this ticket is entitled to a coffee.',
  'INFO [auth] Bearer token rejected for tenant-23',
  'WWW-Authenticate: Bearer realm="orders", error="invalid_token", error_description="The access token expired"',
  // User agents.
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0.1.2 Safari/605.1.15',
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
      'user=jane@example.com card=4111-1111-1111-1111 ssn=123-45-6789 key=AKIAY34FZKBOKMUTVV7A ' +
      'aws_secret_access_key=Tk3vQ9mXr7Lp/2Wz8Ny4Hb6Jd1Fs5Gc0Va+Ue7Ko ' +
      'auth="Bearer opaque-token" jwt=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln order=ORD-2024-000123 total=3.14';
    expect(redactString(line, all, MASK)).toBe(
      'user=***** card=***** ssn=***** key=***** aws_secret_access_key=***** ' +
        'auth="Bearer *****" jwt=***** order=ORD-2024-000123 total=3.14',
    );
  });

  test('masks the new kinds in one log line and nothing else', () => {
    const line =
      '2026-12-01T10:30:00.000Z INFO req=550e8400-e29b-41d4-a716-446655440000 ip=203.0.113.7 ' +
      'phone=+44 20 7946 0958 iban=DE89 3704 0044 0532 0130 00 ' +
      'stripe=sk_live_4eC39HqLyjWDarjtT1zdp7dc gh=ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8 ' +
      'slack=xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy gcp=AIzaSyA-1234567890abcdefghijklmnopqrstu ' +
      'hook=https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX ' +
      'auth="Authorization: Basic dXNlcjpwYXNz" to=jane%40example.com v=1.2.3 took=12ms';
    expect(redactString(line, all, MASK)).toBe(
      '2026-12-01T10:30:00.000Z INFO req=550e8400-e29b-41d4-a716-446655440000 ip=***** ' +
        'phone=***** iban=***** stripe=***** gh=***** slack=***** gcp=***** ' +
        'hook=https://hooks.slack.com/services/***** auth="Authorization: Basic *****" to=***** v=1.2.3 took=12ms',
    );
  });

  test('masks the secrets of a request log line and leaves its look-alikes readable', () => {
    const line =
      'GET http://10.0.0.1:8080/health from 203.0.113.7 ua="Mozilla/5.0 Chrome/123.0.0.0 Safari/537.36" ' +
      'auth="Authorization: Bearer abc123def456" www="Bearer realm=\\"api\\"" icon=logo@2x.png user=jane@example.com ' +
      'key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY secret=Tk3vQ9mXr7Lp/2Wz8Ny4Hb6Jd1Fs5Gc0Va+Ue7Ko';
    expect(redactString(line, all, MASK)).toBe(
      'GET http://*****:8080/health from ***** ua="Mozilla/5.0 Chrome/123.0.0.0 Safari/537.36" ' +
        'auth="Authorization: Bearer *****" www="Bearer realm=\\"api\\"" icon=logo@2x.png user=***** ' +
        'key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY secret=*****',
    );
  });

  test('masks a private key inside a JSON log entry whole, and the fields around it stay', () => {
    const entry = JSON.stringify({
      level: 'ERROR',
      key: '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1b2c3\nAKIAY34FZKBOKMUTVV7A\n-----END RSA PRIVATE KEY-----\n',
      at: '10:30:00',
    });
    expect(redactString(entry, all, MASK)).toBe('{"level":"ERROR","key":"*****\\n","at":"10:30:00"}');
  });
});

import { detectors } from '../../src/detectors/index.js';

const MASK = '*****';
const redact = (text: string): string => detectors.stripeKey.redact(text, MASK);
const BODY = '4eC39HqLyjWDarjtT1zdp7dc';
const LONG = `51HxQzKJmW9aV3tT0pQ${'aB3dE5gH7jK9mN1pQ3sT5vX7'.repeat(3)}`;

describe('stripeKey detector', () => {
  test.each([
    [`sk_live_${BODY}`, '*****'],
    [`rk_live_${BODY}`, '*****'],
    [`sk_test_${BODY}`, '*****'],
    [`rk_test_${BODY}`, '*****'],
    [`sk_live_${LONG}`, '*****'],
    [`STRIPE_SECRET_KEY=sk_live_${BODY}\nnext=1`, 'STRIPE_SECRET_KEY=*****\nnext=1'],
    [`{"apiKey":"sk_live_${BODY}","mode":"live"}`, '{"apiKey":"*****","mode":"live"}'],
    [`Authorization: Bearer sk_live_${BODY}`, 'Authorization: Bearer *****'],
    [`curl -u sk_test_${BODY}: https://api.stripe.com`, 'curl -u *****: https://api.stripe.com'],
  ])('masks %j', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  test.each([
    ['a publishable key', `pk_live_${BODY} and pk_test_${BODY}`],
    ['a body of 23 characters', `sk_live_${BODY.slice(1)}`],
    ['the prefix alone', 'sk_live_'],
    ['a prefix glued to a word', `ask_live_${BODY} and key_sk_live_${BODY}`],
    ['another mode', `sk_prod_${BODY}`],
    ['a webhook secret', `whsec_${BODY}`],
    ['an upper-case prefix', `SK_LIVE_${BODY}`],
  ])('leaves %s alone', (_label, input) => {
    expect(redact(input)).toBe(input);
  });
});

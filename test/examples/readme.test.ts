/** The README's quick start, run as written. */
import { createHmac } from 'node:crypto';
import { DataMasking, selectPaths } from 'middy-data-masking';

const masker = new DataMasking();

const customer = {
  name: 'Jane Doe',
  email: 'jane@example.com',
  ssn: '123-45-6789',
  address: { street: '1 Main St', city: 'Anytown' },
  cards: [{ number: '4111 1111 1111 1111', holder: 'Jane Doe' }],
};

describe('README quick start', () => {
  test('fields', () => {
    expect(masker.erase(customer, { fields: ['email', 'address.street', 'cards[*].number'] })).toEqual({
      name: 'Jane Doe',
      email: '*****',
      ssn: '123-45-6789',
      address: { street: '*****', city: 'Anytown' },
      cards: [{ number: '*****', holder: 'Jane Doe' }],
    });
  });

  test('rules, maskingRules and detectors', () => {
    const key = 'test-pseudonym-key';
    const data = {
      ...customer,
      notes: ['call jane@example.com', { internal: true, text: 'x' }],
      cards: customer.cards,
    };
    const out = masker.erase(data, {
      fields: ['ssn'],
      regexPattern: /\d{3}-\d{2}-(\d{4})/,
      maskFormat: '***-**-$1',
      maskingRules: {
        'cards[*].holder': { hmac: { key } },
        '$..[?@.internal == true]': { remove: true },
      },
      detectors: ['email', 'creditCard'],
    });
    expect(out.ssn).toBe('***-**-6789');
    expect(out.cards[0].holder).toBe(createHmac('sha256', key).update('Jane Doe').digest('hex'));
    expect(out.cards[0].number).toBe('*****');
    expect(out.email).toBe('*****');
    expect(out.notes).toEqual(['call *****']);
  });

  test('selectPaths shows what an expression hits', () => {
    expect(selectPaths(customer, 'cards[*].number')).toEqual(["$['cards'][0]['number']"]);
  });
});

/** Deterministic, API-like payloads for the benchmarks. */

export interface Order {
  id: string;
  amount: number;
  currency: string;
  card: string;
}

/** One item of the API response: a nested customer and five orders, each holding a card. */
export function item(i: number) {
  return {
    id: `item-${i}`,
    name: `Product number ${i}`,
    price: 19.99 + i,
    customer: {
      email: `customer${i}@example.com`,
      address: { street: `${i} Main St`, city: 'Anytown', zip: String(10000 + i) },
    },
    orders: Array.from(
      { length: 5 },
      (_, j): Order => ({
        id: `ord-${i}-${j}`,
        amount: 10 * (j + 1),
        currency: 'EUR',
        card: '4111 1111 1111 1111',
      }),
    ),
  };
}

/** ~10 KB with 20 items; pass more items for larger payloads (~1 MB at 2,000). */
export function apiPayload(items = 20) {
  return {
    requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    user: {
      id: 'u-1',
      email: 'jane@example.com',
      ssn: '123-45-6789',
      profile: { name: 'Jane', locale: 'en-GB' },
    },
    items: Array.from({ length: items }, (_, i) => item(i)),
    meta: { page: 1, pageSize: items, total: items * 10 },
  };
}

/** An SQS-like batch of small records, each with a card in its body. */
export function batch(records = 100) {
  return {
    Records: Array.from({ length: records }, (_, i) => ({
      messageId: `m-${i}`,
      body: { orderId: `ord-${i}`, card: '4111 1111 1111 1111', email: `c${i}@example.com`, amount: i },
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1700000000000' },
    })),
  };
}

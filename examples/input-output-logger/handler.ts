/**
 * Middy's input-output-logger prints every event and response; `createMaskingLogger` masks each of them
 * before it is printed.
 */
import middy from '@middy/core';
import inputOutputLogger from '@middy/input-output-logger';
import { createMaskingLogger } from 'middy-data-masking/logger';

interface Transfer {
  from: { iban: string; owner: string };
  to: { iban: string; owner: string };
  amount: number;
  note: string;
}

const transfer = async (event: Transfer) => ({
  status: 'accepted',
  reference: 'TX-2026-0042',
  from: event.from.owner,
  amount: event.amount,
});

/** Where the lines go: stdout by default; the demo and the test collect them. */
export const printed: unknown[] = [];

export const handler = middy(transfer).use(
  inputOutputLogger({
    logger: createMaskingLogger({
      keys: ['iban'],
      fields: ['$.event.note'],
      detectors: ['email'],
      print: (message) => {
        printed.push(message);
        console.log(JSON.stringify(message));
      },
    }),
  }),
);

export const transferEvent = (): Transfer => ({
  from: { iban: 'DE89370400440532013000', owner: 'jane@example.com' },
  to: { iban: 'FR1420041010050500013M02606', owner: 'Acme SAS' },
  amount: 250,
  note: 'rent for flat 3B, door code 4321',
});

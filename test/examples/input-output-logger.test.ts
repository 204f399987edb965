import { handler, printed, transferEvent } from '../../examples/input-output-logger/handler.ts';
import { lambdaContext } from './lambda-context.js';

describe('examples/input-output-logger', () => {
  test('the event and the response are printed masked; the handler sees the real event', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const event = transferEvent();
    const response = await handler(event as never, lambdaContext());
    log.mockRestore();
    expect(response).toEqual({
      status: 'accepted',
      reference: 'TX-2026-0042',
      from: 'jane@example.com',
      amount: 250,
    });
    expect(event).toEqual(transferEvent());
    const text = JSON.stringify(printed);
    for (const secret of [
      'DE89370400440532013000',
      'FR1420041010050500013M02606',
      'jane@example.com',
      'door code',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(printed).toEqual([
      {
        event: {
          from: { iban: '*****', owner: '*****' },
          to: { iban: '*****', owner: 'Acme SAS' },
          amount: 250,
          note: '*****',
        },
      },
      { response: { status: 'accepted', reference: 'TX-2026-0042', from: '*****', amount: 250 } },
    ]);
  });
});

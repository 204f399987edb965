import { handler, signUpEvent } from '../../examples/powertools-logs/handler.ts';
import { lambdaContext } from './lambda-context.js';

describe('examples/powertools-logs', () => {
  test('no secret in any log line or in the response; the Powertools keys intact', async () => {
    const chunks: string[] = [];
    const capture = (chunk: unknown) => {
      chunks.push(String(chunk));
      return true;
    };
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
    const response = (await handler(signUpEvent() as never, lambdaContext())) as {
      statusCode: number;
      body: string;
    };
    out.mockRestore();
    err.mockRestore();
    const printed = chunks.join('');
    for (const secret of [
      'jane@example.com',
      'hunter2',
      '123-45-6789',
      '4111 1111 1111 1111',
      'eyJhbGciOiJIUzI1NiJ9',
    ]) {
      expect(printed).not.toContain(secret);
      expect(response.body).not.toContain(secret);
    }
    const lines = printed
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.message)).toEqual([
      'Lambda invocation event',
      'signing up',
      'welcome mail not sent',
    ]);
    for (const line of lines) {
      expect(line).toMatchObject({
        service: 'signup',
        function_name: 'example',
        function_request_id: expect.any(String),
      });
      expect(typeof line.timestamp).toBe('string');
    }
    expect(lines[1].user).toMatchObject({
      email: '*****',
      password: '*****',
      ssn: '*****',
      card: '*****',
      plan: 'pro',
    });
    expect(lines[2].error.message).toBe('mail server refused *****');
    expect(lines[2].error.cause.message).toBe('550 mailbox unavailable');
    expect(JSON.parse(response.body)).toEqual({ id: 'u-1', email: '*****', ssn: '*****', plan: 'pro' });
  });
});

/**
 * Issue 10: the generic signatures users rely on (checked by tsc, which runs over the tests): `decrypt<T>`
 * infers T from its input, `encrypt` with `fields` returns the input's type, `compileErase` is typed.
 */
import { DataMasking } from '../../src/data-masking.js';

type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
const same = <A, B>(_proof: Equal<A, B>) => undefined;

const provider = { encrypt: async (d: string) => d, decrypt: async (d: string) => d };
const masker = new DataMasking({ provider });

test('decrypt infers T from an object input and takes it explicitly for a string', async () => {
  const fromObject = masker.decrypt({ ssn: '"x"' }, { fields: ['ssn'] });
  same<typeof fromObject, Promise<{ ssn: string }>>(true);
  const explicit = masker.decrypt<{ secret: string }>('"y"');
  same<typeof explicit, Promise<{ secret: string }>>(true);
  await expect(explicit).resolves.toBe('y');
  await expect(fromObject).resolves.toEqual({ ssn: 'x' });
});

test('encrypt returns T | string, and T with fields', async () => {
  const whole = masker.encrypt({ secret: 'value' });
  same<typeof whole, Promise<{ secret: string } | string>>(true);
  const fields = masker.encrypt({ secret: 'value', n: 1 }, { fields: ['secret'] });
  same<typeof fields, Promise<{ secret: string; n: number }>>(true);
  await expect(fields).resolves.toEqual({ secret: '"value"', n: 1 });
});

test('erase and compileErase keep the input type; without options, masks', () => {
  const data = { name: 'Jane', ssn: '123' };
  const erased = masker.erase(data, { fields: ['ssn'] });
  same<typeof erased, { name: string; ssn: string }>(true);
  const compiled = masker.compileErase({ fields: ['ssn'] });
  const out = compiled(data);
  same<typeof out, { name: string; ssn: string }>(true);
  const whole = masker.compileErase()([1, 2]);
  same<typeof whole, string[]>(true);
  expect(out).toEqual({ name: 'Jane', ssn: '*****' });
  expect(whole).toEqual(['*****', '*****']);
  same<ReturnType<typeof masker.erase<null>>, null>(true);
});

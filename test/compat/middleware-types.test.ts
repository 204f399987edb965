/**
 * Issue 10: `dataMasking<TEvent, TResult>()` types `request.event` inside `context` functions, so the
 * README's snippet compiles under `tsc --strict` (checked by the type-check, which covers the tests). The
 * type is given to `dataMasking` itself: TypeScript does not infer it from `middy<TEvent>().use(...)`.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2 } from 'aws-lambda';
import { DataMasking } from '../../src/data-masking.js';
import { dataMasking } from '../../src/middleware.js';

const provider = { encrypt: async (d: string) => d, decrypt: async (d: string) => d };
const masker = new DataMasking({ provider });
const tenantOf = (event: APIGatewayProxyEventV2WithJWTAuthorizer) =>
  String(event.requestContext.authorizer.jwt.claims.tenant_id);

test('an explicit event type types request.event in the context function', () => {
  const middleware = dataMasking<APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2>({
    masker,
    decrypt: { fields: ['$.body.card'], context: (request) => ({ tenant_id: tenantOf(request.event) }) },
    erase: { fields: ['$.body.email'] },
  });
  expect(typeof middleware.before).toBe('function');
});

test('the typed middleware fits a typed middy chain', () => {
  const handler = middy<APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2>().use(
    dataMasking<APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2>({
      masker,
      decrypt: {
        fields: ['$.body.card'],
        context: (request) => ({ tenant_id: tenantOf(request.event) }),
      },
    }),
  );
  expect(typeof handler).toBe('function');
});

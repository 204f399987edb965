/**
 * Event fixtures for the middleware tests: the shapes Lambda receives from API Gateway REST (v1) with a
 * Cognito authorizer, HTTP API (v2) with a JWT or a Lambda authorizer, a Function URL, an ALB, and a plain
 * (non-HTTP) invocation; plus a fake Lambda `context`. Typed loosely on purpose: the middleware sees
 * `unknown` events, and tests put odd bodies (objects, base64, nothing) where the real types say string.
 */
import type { Request } from '@middy/core';
import type { Context } from 'aws-lambda';

/** A loosely typed event or response. */
export type Loose = Record<string, unknown>;

/** An HTTP-shaped Lambda proxy result. */
export interface HttpResult {
  statusCode: number;
  headers?: Record<string, string>;
  body?: unknown;
  isBase64Encoded?: boolean;
  [key: string]: unknown;
}

export const TENANT_A = 'tenant-a';
export const TENANT_B = 'tenant-b';

/** The secrets the tests look for in everything that leaves. */
export const CARD = '4111 1111 1111 1111';
export const EMAIL = 'jane.doe@example.com';
export const SSN = '123-45-6789';

export type HttpKind = 'restV1Cognito' | 'httpV2Jwt' | 'httpV2LambdaAuthorizer' | 'functionUrl' | 'alb';
export const HTTP_KINDS: readonly HttpKind[] = [
  'restV1Cognito',
  'httpV2Jwt',
  'httpV2LambdaAuthorizer',
  'functionUrl',
  'alb',
];

export interface HttpEventOptions {
  /** The caller's tenant (claim, authorizer context or `x-tenant-id` header, by event kind). */
  tenant?: string;
  /** The request body: a string as Lambda delivers it, or an object (an event parsed upstream). */
  body?: unknown;
  isBase64Encoded?: boolean;
  /** Extra headers; `content-type` defaults to `application/json`. */
  headers?: Record<string, string>;
  method?: string;
  path?: string;
}

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const TIME_EPOCH = 1767225600000;

function headersFor(options: HttpEventOptions, tenantHeader: boolean): Record<string, string> {
  return {
    accept: 'application/json',
    'content-type': 'application/json',
    'user-agent': 'curl/8.5.0',
    'x-forwarded-for': '203.0.113.10',
    ...(tenantHeader && options.tenant !== undefined ? { 'x-tenant-id': options.tenant } : {}),
    ...options.headers,
  };
}

/** API Gateway REST API (v1) proxy event, Cognito user pool authorizer. */
export function restV1CognitoEvent(options: HttpEventOptions = {}): Loose {
  const method = options.method ?? 'POST';
  const path = options.path ?? '/orders';
  const headers = headersFor(options, false);
  return {
    resource: path,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      accountId: ACCOUNT,
      apiId: 'a1b2c3d4e5',
      authorizer: {
        claims: {
          sub: '9f4c2b1e-0d7a-4a8e-9a51-2b8c1f0e7d33',
          'cognito:username': 'jane',
          'custom:tenant_id': options.tenant,
          token_use: 'id',
        },
      },
      domainName: 'a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com',
      httpMethod: method,
      identity: { sourceIp: '203.0.113.10', userAgent: 'curl/8.5.0' },
      path: `/prod${path}`,
      protocol: 'HTTP/1.1',
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      requestTimeEpoch: TIME_EPOCH,
      resourceId: 'abc123',
      resourcePath: path,
      stage: 'prod',
    },
    body: options.body ?? null,
    isBase64Encoded: options.isBase64Encoded ?? false,
  };
}

function httpV2Base(options: HttpEventOptions, authorizer: Loose | undefined, tenantHeader: boolean): Loose {
  const method = options.method ?? 'POST';
  const path = options.path ?? '/orders';
  const event: Loose = {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: headersFor(options, tenantHeader),
    requestContext: {
      accountId: ACCOUNT,
      apiId: 'f6g7h8i9j0',
      ...(authorizer === undefined ? {} : { authorizer }),
      domainName: 'f6g7h8i9j0.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'f6g7h8i9j0',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.10', userAgent: 'curl/8.5.0' },
      requestId: 'JKJaXmPLvHcESHA=',
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: '01/Jan/2026:00:00:00 +0000',
      timeEpoch: TIME_EPOCH,
    },
    isBase64Encoded: options.isBase64Encoded ?? false,
  };
  if (options.body !== undefined) event.body = options.body;
  return event;
}

/** API Gateway HTTP API (v2) event, JWT authorizer. */
export function httpV2JwtEvent(options: HttpEventOptions = {}): Loose {
  return httpV2Base(
    options,
    {
      jwt: {
        claims: { sub: '9f4c2b1e', iss: 'https://issuer.example.com', tenant_id: options.tenant },
        scopes: ['orders/write'],
      },
    },
    false,
  );
}

/** API Gateway HTTP API (v2) event, Lambda authorizer (simple response with a context). */
export function httpV2LambdaAuthorizerEvent(options: HttpEventOptions = {}): Loose {
  return httpV2Base(options, { lambda: { tenantId: options.tenant, plan: 'enterprise' } }, false);
}

/** Lambda Function URL event (payload format 2.0, `AuthType: NONE`): no authorizer, the tenant in a header. */
export function functionUrlEvent(options: HttpEventOptions = {}): Loose {
  const event = httpV2Base(options, undefined, true);
  const method = options.method ?? 'POST';
  event.routeKey = '$default';
  event.requestContext = {
    ...(event.requestContext as Loose),
    accountId: 'anonymous',
    apiId: 'abcdefghijklmnopqrstuvwxyz0123',
    domainName: 'abcdefghijklmnopqrstuvwxyz0123.lambda-url.eu-west-1.on.aws',
    domainPrefix: 'abcdefghijklmnopqrstuvwxyz0123',
    routeKey: '$default',
    http: {
      method,
      path: options.path ?? '/orders',
      protocol: 'HTTP/1.1',
      sourceIp: '203.0.113.10',
      userAgent: 'curl/8.5.0',
    },
  };
  return event;
}

/** Application Load Balancer target event: the tenant in a header. */
export function albEvent(options: HttpEventOptions = {}): Loose {
  return {
    requestContext: {
      elb: {
        targetGroupArn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/orders/6d0ecf831eec9f09`,
      },
    },
    httpMethod: options.method ?? 'POST',
    path: options.path ?? '/orders',
    queryStringParameters: {},
    headers: headersFor(options, true),
    body: options.body ?? '',
    isBase64Encoded: options.isBase64Encoded ?? false,
  };
}

/** Builds an event of the given kind. */
export function httpEvent(kind: HttpKind, options: HttpEventOptions = {}): Loose {
  switch (kind) {
    case 'restV1Cognito':
      return restV1CognitoEvent(options);
    case 'httpV2Jwt':
      return httpV2JwtEvent(options);
    case 'httpV2LambdaAuthorizer':
      return httpV2LambdaAuthorizerEvent(options);
    case 'functionUrl':
      return functionUrlEvent(options);
    case 'alb':
      return albEvent(options);
  }
}

/** A plain invocation (Step Functions, a direct `Invoke`): not HTTP. */
export function plainEvent(tenantId: string | undefined, payload: Loose): Loose {
  return { tenantId, payload };
}

/** Reads a nested property of an unknown value. */
export function at(value: unknown, ...keys: string[]): unknown {
  let node = value;
  for (const key of keys) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Loose)[key];
  }
  return node;
}

/** The caller's tenant, wherever this kind of event carries it. */
export function tenantOf(event: unknown): string | undefined {
  const found =
    at(event, 'requestContext', 'authorizer', 'claims', 'custom:tenant_id') ??
    at(event, 'requestContext', 'authorizer', 'jwt', 'claims', 'tenant_id') ??
    at(event, 'requestContext', 'authorizer', 'lambda', 'tenantId') ??
    at(event, 'headers', 'x-tenant-id') ??
    at(event, 'tenantId');
  return typeof found === 'string' ? found : undefined;
}

/** The encryption context of a request: its tenant (a context function, as users write one). */
export const tenantContext = (request: Request): { tenant_id: string } => {
  const tenant = tenantOf(request.event);
  if (tenant === undefined) throw new Error('no tenant in the request');
  return { tenant_id: tenant };
};

/** A fake Lambda context, enough for Middy and the Powertools Logger. */
export function lambdaContext(overrides: Partial<Context> = {}): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'orders-api',
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:orders-api`,
    memoryLimitInMB: '256',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: '/aws/lambda/orders-api',
    logStreamName: '2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
    ...overrides,
  };
}

/** Calls a Middy handler with an event of any shape and returns its result, typed loosely. */
export async function invoke<T = HttpResult>(
  handler: unknown,
  event: unknown,
  context: Context = lambdaContext(),
): Promise<T> {
  return (await (handler as (e: unknown, c: Context) => Promise<unknown>)(event, context)) as T;
}

/** Calls a Middy handler and returns what it threw (fails the test when it does not throw). */
export async function invokeRejected(
  handler: unknown,
  event: unknown,
  context: Context = lambdaContext(),
): Promise<unknown> {
  try {
    await invoke(handler, event, context);
  } catch (error) {
    return error;
  }
  throw new Error('expected the invocation to fail, and it succeeded');
}

/** A JSON body with its `body` parsed, for assertions on a string body. */
export function parsedBody(result: HttpResult): Loose {
  expect(typeof result.body).toBe('string');
  return JSON.parse(result.body as string) as Loose;
}

/** A Lambda context as the runtime passes it, for running handlers locally. */
export const lambdaContext = () =>
  ({
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'example',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:example',
    memoryLimitInMB: '512',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    logGroupName: '/aws/lambda/example',
    logStreamName: '2026/11/22/[$LATEST]abc',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  }) as never;

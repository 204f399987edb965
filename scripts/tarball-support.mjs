// Shared by the stacks check-tarball.mjs runs from the tarball: a Lambda context, what was printed, and
// a check that stops the run on the first broken promise.

/** A Lambda context, as the runtime gives one. */
export const context = {
  functionName: 'consumer',
  awsRequestId: 'r-1',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:consumer',
  memoryLimitInMB: '128',
  getRemainingTimeInMillis: () => 30000,
};

/** Everything written to stdout and stderr from now on (still written through). */
export function captureOutput() {
  const captured = { text: '' };
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream);
    stream.write = (chunk, ...rest) => {
      captured.text += String(chunk);
      return original(chunk, ...rest);
    };
  }
  return captured;
}

/** A check named after its stack: exits 1 with `what` when `ok` is false. */
export const checker = (stack) => (ok, what) => {
  if (!ok) {
    console.error(`${stack}: ${what}`);
    process.exit(1);
  }
};

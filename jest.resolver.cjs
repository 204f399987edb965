// Middy 7 publishes ES modules with only an `import` export condition. Jest runs our tests as CommonJS, so
// for @middy/* alone resolve the `import` entry too; swc then turns those files into CommonJS (see
// transformIgnorePatterns). Every other package resolves exactly as jest would.
module.exports = (request, options) => {
  if (request.startsWith('@middy/')) {
    return options.defaultResolver(request, {
      ...options,
      conditions: [...(options.conditions ?? []), 'import'],
    });
  }
  return options.defaultResolver(request, options);
};

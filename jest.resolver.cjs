// Middy 7 and @noble/ciphers (the AES-SIV oracle of the token tests) publish ES modules with only an
// `import` export condition. Jest runs our tests as CommonJS, so
// for those alone resolve the `import` entry too; swc then turns those files into CommonJS (see
// transformIgnorePatterns). Every other package resolves exactly as jest would.
module.exports = (request, options) => {
  if (request.startsWith('@middy/') || request.startsWith('@noble/')) {
    return options.defaultResolver(request, {
      ...options,
      conditions: [...(options.conditions ?? []), 'import'],
    });
  }
  return options.defaultResolver(request, options);
};

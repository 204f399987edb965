/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  // Middy 7 and @noble/ciphers ship ES modules only: resolve their `import` entry (jest.resolver.cjs) and let swc turn them
  // into CommonJS like our own sources; everything else in node_modules is left as it is.
  resolver: '<rootDir>/jest.resolver.cjs',
  transformIgnorePatterns: ['/node_modules/(?!@middy/|@noble/)'],
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(ts|js)$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2023' },
        module: { type: 'commonjs' },
      },
    ],
  },
  moduleNameMapper: {
    // Examples import the package by name, as users do; tests run them against the sources.
    '^middy-data-masking$': '<rootDir>/src/index.ts',
    '^middy-data-masking/providers/kms$': '<rootDir>/src/providers/kms.ts',
    '^middy-data-masking/middleware$': '<rootDir>/src/middleware.ts',
    '^middy-data-masking/logger$': '<rootDir>/src/logger.ts',
    '^middy-data-masking/batch$': '<rootDir>/src/batch.ts',
    '^middy-data-masking/tokens$': '<rootDir>/src/tokens.ts',
    '^middy-data-masking/testing$': '<rootDir>/src/testing/index.ts',
    '^middy-data-masking/errors$': '<rootDir>/src/errors.ts',
    '^middy-data-masking/types$': '<rootDir>/src/types.ts',
    '^middy-data-masking/providers/kms/types$': '<rootDir>/src/providers/kms/types.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testTimeout: 30000,
};

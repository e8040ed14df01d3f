/**
 * End-to-end tests through Microsoft 365 Agents Playground (`npm run test:e2e`, which adds
 * --runInBand): each file starts its own sandbox bot and Playground on free loopback ports and
 * stops them by pid in afterAll. The main jest config ignores /test/e2e/; this one runs only
 * these files. Logs of each run: .playground/e2e/<file>/ (gitignored).
 */
const path = require('node:path');

module.exports = {
  rootDir: path.resolve(__dirname, '..', '..'),
  testEnvironment: 'node',
  roots: ['<rootDir>/test/e2e'],
  testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  // jose (the tab's token validation) ships ESM only; swc compiles it like the main config does.
  transformIgnorePatterns: ['/node_modules/(?!(@kubernetes/client-node|openid-client|oauth4webapi|jose|strip-bom)/)'],
  transform: {
    '^.+\\.(t|j)sx?$': [
      '@swc/jest',
      { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } },
    ],
  },
  testTimeout: 60000,
};

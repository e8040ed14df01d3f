#!/usr/bin/env node
/**
 * Runs a TypeScript script without a build step: `node scripts/run-ts.js scripts/package-app.ts [args]`.
 *
 * Why this exists: Node 20 has no `--experimental-strip-types`, ts-node does not work with
 * TypeScript 7, and the project already uses swc for Jest. This hook compiles each `.ts` file
 * to CommonJS with `@swc/core` when it is first required. Types are NOT checked here;
 * `npm run typecheck` does that.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { transformSync } = require('@swc/core');

require.extensions['.ts'] = function compileTs(module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    sourceMaps: 'inline',
    jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};

const [script, ...args] = process.argv.slice(2);
if (!script) {
  console.error('usage: node scripts/run-ts.js <file.ts> [args...]');
  process.exit(2);
}
// Make the script see itself as argv[1], as if it had been run directly.
process.argv = [process.argv[0], path.resolve(script), ...args];
require(path.resolve(script));

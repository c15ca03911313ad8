import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const src = fileURLToPath(new URL('./src/', import.meta.url))

export default defineConfig({
  resolve: {
    // Examples import the package by its name, exactly as a user's test does.
    alias: [
      { find: /^fake-oci-registry$/, replacement: `${src}index.ts` },
      { find: /^fake-oci-registry\/(.+)$/, replacement: `${src}$1.ts` },
    ],
  },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 30_000,
    // Type tests: expectTypeOf assertions checked by tsc, failing the run on a type error. Their
    // own tsconfig scopes the check to them and what they import.
    typecheck: { enabled: true, include: ['test/types/**/*.test-d.ts'], tsconfig: './test/types/tsconfig.json' },
    hookTimeout: 30_000,
  },
})

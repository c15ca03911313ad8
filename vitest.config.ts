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
    hookTimeout: 30_000,
  },
})

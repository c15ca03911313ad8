// ESLint with typescript-eslint's type-aware rules; formatting is Prettier's job, not ESLint's
// (docs/decisions/0005-lint-and-format.md).
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.vitest-results.json'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Unused names are mistakes, except a leading underscore that says "deliberately unused".
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // Route handlers and storage methods are async by contract even when one answers at once.
      '@typescript-eslint/require-await': 'off',
      // Type-only imports stay marked as such (verbatimModuleSyntax needs it).
      // `typeof import('…')` stays allowed: it types a module loaded lazily (an optional peer).
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      '@typescript-eslint/no-import-type-side-effects': 'error',
      // Errors quote what the caller passed, whatever it is, with String(value): '[object Object]'
      // is the deliberate fallback there. Template literals stay checked (restrict-template-expressions).
      '@typescript-eslint/no-base-to-string': 'off',
      // A floating promise in a registry is a lost error or an unfinished write.
      '@typescript-eslint/no-floating-promises': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportAllDeclaration', message: 'Export names one by one: entries are curated.' },
      ],
    },
  },
  {
    // Tests read JSON bodies and poke at values on purpose; the unsafe-* rules would only add casts.
    files: ['test/**/*.ts', 'examples/**/*.ts', 'bench/**/*.ts', 'src/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
)

// ESLint: typescript-eslint's recommended type-checked rules over all TypeScript in the tree (src,
// bench, test), with zero findings in CI (`npm run lint`, run by .ci/run).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.vmsnap-demo/', 'coverage/', '.readme-example-*'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: ['./tsconfig.test.json'], tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `const { volatile: _v, ...kept } = x` is how a key is left out of a copy; an `_` name says "unused on purpose"
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // vmsnap matches control characters on purpose: it strips or escapes them in text that came from a VM
      'no-control-regex': 'off',
      // a `void` promise must say so: every floating promise is a lost error
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: true }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // a test double stands in for an async function: `async () => { throw e }` is how it rejects
      '@typescript-eslint/require-await': 'off',
    },
  },
  { files: ['**/*.js', '**/*.mjs', '**/*.cjs'], ...tseslint.configs.disableTypeChecked },
);

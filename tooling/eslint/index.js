// Shared flat config: typescript-eslint with type information, plus the house rules of STYLE.md.
import js from '@eslint/js';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';
import { noImportCycle } from './no-import-cycle.js';

/**
 * The lint config every package extends.
 * @param {{ tsconfigRootDir: string }} options the package folder (`import.meta.dirname`)
 */
export function butlerEslintConfig({ tsconfigRootDir }) {
  return tseslint.config(
    { ignores: ['dist/**', 'docs/**', 'coverage/**', '*.config.*', 'eslint.config.js'] },
    js.configs.recommended,
    ...tseslint.configs.recommendedTypeChecked,
    {
      languageOptions: { parserOptions: { projectService: true, tsconfigRootDir } },
      plugins: { 'import-x': importX, butler: { rules: { 'no-import-cycle': noImportCycle } } },
      // Without these import-x reads no .ts file, so import-x/no-cycle never saw a cycle.
      settings: {
        'import-x/extensions': ['.ts'],
        'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      },
      rules: {
        '@typescript-eslint/consistent-type-imports': 'error',
        '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
        'import-x/no-default-export': 'error',
        'import-x/no-cycle': 'error',
        // import-x/no-cycle skips type-only imports; this one counts them (DESIGN.md: no
        // import cycles inside a package).
        'butler/no-import-cycle': 'error',
        'no-restricted-syntax': [
          'error',
          { selector: 'TSEnumDeclaration', message: 'Use an `as const` object and a union type.' },
          { selector: 'TSModuleDeclaration[kind="namespace"]', message: 'No namespaces.' },
          { selector: 'TSParameterProperty', message: 'No parameter properties.' },
        ],
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                group: [
                  '@butler-ts/*/src',
                  '@butler-ts/*/src/**',
                  '**/packages/*/src/**',
                  '../../*/src/**',
                ],
                message:
                  'Import another package by its name, never its src/ (DESIGN.md: layering).',
              },
            ],
          },
        ],
      },
    },
    {
      // Tests may use non-null assertions and loose promises inside expect().
      files: ['**/*.test.ts', '**/*.test-d.ts'],
      rules: {
        '@typescript-eslint/no-non-null-assertion': 'off',
        '@typescript-eslint/no-floating-promises': 'off',
        '@typescript-eslint/unbound-method': 'off',
      },
    },
  );
}

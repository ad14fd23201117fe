import { butlerEslintConfig } from '@butler-ts/eslint-config';

export default [
  // examples/ holds plain JavaScript for people to run with node; it is outside the TypeScript
  // project that type-aware linting needs, and a test runs it (test/datastore-made.test.ts).
  { ignores: ['examples/**'] },
  ...butlerEslintConfig({ tsconfigRootDir: import.meta.dirname }),
];

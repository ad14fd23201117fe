import { butlerEslintConfig } from '@butler-ts/eslint-config';

export default [
  // A script run by hand to copy the daf_butler fixtures (see its folder's README).
  { ignores: ['test/fixtures/daf_butler/make-fixtures.mjs'] },
  ...butlerEslintConfig({ tsconfigRootDir: import.meta.dirname }),
];

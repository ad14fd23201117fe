import { butlerEslintConfig } from '@butler-ts/eslint-config';

export default butlerEslintConfig({ tsconfigRootDir: import.meta.dirname });

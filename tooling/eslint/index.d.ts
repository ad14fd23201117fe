import type { Linter } from 'eslint';
/** The lint config every package extends. */
export declare function butlerEslintConfig(options: { tsconfigRootDir: string }): Linter.Config[];

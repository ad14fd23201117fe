import type { UserConfig } from 'tsdown';
/** The build config every published package extends: output name → source file. */
export declare function butlerBuildConfig(entry?: Record<string, string>): UserConfig;

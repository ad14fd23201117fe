import type { UserConfig } from 'vitest/config';
/** The vitest config every package extends, merged with `overrides`. */
export declare function butlerVitestConfig(overrides?: UserConfig): UserConfig;

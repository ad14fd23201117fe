import { butlerVitestConfig } from '@butler-ts/vitest-config';

export default butlerVitestConfig();

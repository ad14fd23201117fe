import { butlerBuildConfig } from '@butler-ts/tsdown-config';

export default butlerBuildConfig();

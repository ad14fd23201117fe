import { butlerBuildConfig } from '@butler-ts/tsdown-config';

export default butlerBuildConfig({ index: 'src/index.ts', bin: 'src/bin.ts' });

import { butlerBuildConfig } from '@butler-ts/tsdown-config';

export default butlerBuildConfig({
  index: 'src/index.ts',
  'testing/index': 'src/testing/index.ts',
});

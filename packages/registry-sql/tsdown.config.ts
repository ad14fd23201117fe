import { butlerBuildConfig } from '@butler-ts/tsdown-config';

export default butlerBuildConfig({
  index: 'src/index.ts',
  'sqlite/index': 'src/sqlite/index.ts',
  'postgres/index': 'src/postgres/index.ts',
});

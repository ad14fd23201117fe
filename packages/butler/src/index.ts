export { Butler } from './butler.ts';
export type {
  ButlerDataId,
  ButlerGetOptions,
  ButlerOptions,
  ButlerPutOptions,
  ButlerURIOptions,
  DatasetTypeOrRef,
  FindOptions,
  PruneDatasetsOptions,
  RemoveRunsOptions,
} from './butler.ts';
export { BUTLER_ROOT_PLACEHOLDER, loadButlerConfig } from './butler-config.ts';
export type { ButlerRepoConfig } from './butler-config.ts';
export {
  ButlerConfigError,
  DatasetNotFoundInCollectionsError,
  NoDefaultCollectionError,
  ReadOnlyButlerError,
} from './errors.ts';

export { ChainedDatastore } from './chained-datastore.ts';
export type {
  ChainedDatastoreCreateOptions,
  ChainedDatastoreOptions,
} from './chained-datastore.ts';
export { ChainedDatastoreConfigError } from './errors.ts';

export { InMemoryDatastore } from './in-memory-datastore.ts';
export type { InMemoryDatastoreOptions } from './in-memory-datastore.ts';
export { StoredMemoryItemInfo } from './stored-memory-item-info.ts';

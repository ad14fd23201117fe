// Kept apart from the commands so that loading it loads nothing else.

/** The `butler.yaml` that `create <folder>` writes: daf_butler's layout, read by both. */
export const REPOSITORY_BUTLER_YAML = `# A butler repository made by butler-ts: a SQLite registry and a FileDatastore in this folder.
datastore:
  cls: lsst.daf.butler.datastores.fileDatastore.FileDatastore
  records:
    table: file_datastore_records
  root: <butlerRoot>
registry:
  db: sqlite:///<butlerRoot>/gen3.sqlite3
  managers:
    attributes: lsst.daf.butler.registry.attributes.DefaultButlerAttributeManager
    datastores: lsst.daf.butler.registry.bridge.monolithic.MonolithicDatastoreRegistryBridgeManager
    opaque: lsst.daf.butler.registry.opaque.ByNameOpaqueTableStorageManager
`;

/** The `--transfer` modes of `datastore ingest`: daf_butler's, and `none` for in place. */
export const INGEST_TRANSFERS = [
  'auto',
  'copy',
  'move',
  'link',
  'hardlink',
  'symlink',
  'relsymlink',
  'direct',
  'none',
] as const;

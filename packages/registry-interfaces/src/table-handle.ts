import type { TableSpec } from '@butler-ts/ddl';

/**
 * A table known to a `Database`: its name and the spec it was declared with. Implementations
 * hand out their own handles (carrying their driver's table objects); a handle is only valid
 * with the database (or clones) that made it.
 */
export interface TableHandle<S extends TableSpec = TableSpec> {
  /** The table's name in its database's namespace. */
  readonly name: string;
  /** The spec the table was declared with; its fields type the rows. */
  readonly spec: S;
}

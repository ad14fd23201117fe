import { SchemaValidationError } from './errors.ts';
import { validateIdentifier, validateTableName } from './identifier.ts';
import { sameList } from './index-spec.ts';

/** What happens to referencing rows when the target row is deleted; `null` refuses the delete. */
export type OnDelete = 'CASCADE' | 'SET NULL' | null;

/** The options of a foreign key, as written in code or config. */
export interface ForeignKeySpecInit {
  /** The referenced table. */
  readonly table: string;
  /** Columns in this table. */
  readonly source: readonly string[];
  /** Referenced columns in `table`, in the same order. */
  readonly target: readonly string[];
  /** What deleting a referenced row does; default `null`, which makes the database refuse it. */
  readonly onDelete?: OnDelete;
  /** Index the source columns unless the primary key, a unique constraint or an index covers them. Default true. */
  readonly addIndex?: boolean;
}

/** A frozen, validated foreign key. */
export interface ForeignKeySpec {
  /** The referenced table. */
  readonly table: string;
  /** Columns in this table, in order (at least one). */
  readonly source: readonly string[];
  /** Referenced columns in `table`, matched to `source` by position. */
  readonly target: readonly string[];
  /** What deleting a referenced row does; `null` makes the database refuse the delete. */
  readonly onDelete: OnDelete;
  /**
   * Whether the DDL indexes the source columns, unless the primary key, a unique constraint or
   * an index already covers them.
   */
  readonly addIndex: boolean;
}

/**
 * Makes a frozen foreign-key spec.
 *
 * @throws {@link SchemaValidationError} for bad names, empty or unequal column lists, or an
 *   unknown `onDelete`.
 */
export function foreignKeySpec(init: ForeignKeySpecInit): ForeignKeySpec {
  validateTableName(init.table, 'foreign key target table');
  for (const [label, columns] of [
    ['source', init.source],
    ['target', init.target],
  ] as const) {
    if (!Array.isArray(columns) || columns.length === 0) {
      throw new SchemaValidationError(
        `Foreign key to ${init.table}: ${label} needs at least one column`,
      );
    }
    for (const column of columns) validateIdentifier(column, `foreign key ${label} column`);
  }
  if (init.source.length !== init.target.length) {
    throw new SchemaValidationError(
      `Foreign key to ${init.table}: ${init.source.length} source columns but ${init.target.length} target columns`,
    );
  }
  const onDelete = init.onDelete ?? null;
  if (onDelete !== null && onDelete !== 'CASCADE' && onDelete !== 'SET NULL') {
    throw new SchemaValidationError(
      `Foreign key to ${init.table}: onDelete must be CASCADE, SET NULL or null, got ${JSON.stringify(onDelete)}`,
    );
  }
  return Object.freeze({
    table: init.table,
    source: Object.freeze([...init.source]),
    target: Object.freeze([...init.target]),
    onDelete,
    addIndex: init.addIndex ?? true,
  });
}

/** Value equality over all five members. */
export function foreignKeySpecsEqual(a: ForeignKeySpec, b: ForeignKeySpec): boolean {
  return (
    a.table === b.table &&
    sameList(a.source, b.source) &&
    sameList(a.target, b.target) &&
    a.onDelete === b.onDelete &&
    a.addIndex === b.addIndex
  );
}

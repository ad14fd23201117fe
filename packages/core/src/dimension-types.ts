// The plain data that declares and describes a dimension universe.

/** The type of a dimension's key values: a string (e.g. `instrument`) or an integer (`visit`). */
export type DimensionKeyType = 'string' | 'int';

/** The type of a column of a dimension element's records, as daf_butler's configuration names it. */
export type DimensionColumnType = 'string' | 'int' | 'float' | 'bool' | 'hash';

/** A key or metadata column of a dimension element, as declared. */
export interface DimensionColumnDefinition {
  /** The column name. */
  readonly name: string;
  /** The value type. */
  readonly type: DimensionColumnType;
  /** The maximum length of a `string` column. */
  readonly length?: number | null;
  /** The size in bytes of a `hash` column. */
  readonly nbytes?: number | null;
  /** Documentation. */
  readonly doc?: string;
}

/** A key or metadata column of a dimension element. */
export interface DimensionColumn {
  /** The column name. */
  readonly name: string;
  /** The value type. */
  readonly type: DimensionColumnType;
  /** The maximum length of a `string` column; `null` for none. */
  readonly length: number | null;
  /** The size in bytes of a `hash` column; `null` when not given. */
  readonly nbytes: number | null;
  /** Documentation (empty when none). */
  readonly doc: string;
}

/** How a dimension is declared to a {@link DimensionUniverse}. */
export interface DimensionDefinition {
  /** The type of its key values (default: the type of its first key column, else `int`). */
  readonly keyType?: DimensionKeyType;
  /** Dimensions that are part of this one's key (e.g. `visit` requires `instrument`). */
  readonly requires?: readonly string[];
  /** Dimensions whose values this one determines (e.g. `visit` implies `physical_filter`). */
  readonly implies?: readonly string[];
  /** A governor dimension (e.g. `instrument`); its name may not name a dataset type. */
  readonly governor?: boolean;
  /**
   * Its key columns: the first is the primary key (its values are the data ID values), the
   * others alternative unique keys. Default: one column `id` (int keys) or `name` (strings).
   */
  readonly keys?: readonly DimensionColumnDefinition[];
  /** Its other record columns. */
  readonly metadata?: readonly DimensionColumnDefinition[];
  /** Another dimension implying this one whose values are its records (it has no table then). */
  readonly impliedUnionTarget?: string | null;
  /** Whether clients cache its records (governors always). */
  readonly cached?: boolean;
  /** Documentation. */
  readonly doc?: string;
}

/** How a dimension element that is not a dimension (a join of dimensions) is declared. */
export interface DimensionElementDefinition {
  /** The dimensions its records relate (its primary key). */
  readonly requires: readonly string[];
  /** Dimensions its records determine. */
  readonly implies?: readonly string[];
  /** Its other record columns. */
  readonly metadata?: readonly DimensionColumnDefinition[];
  /** The dimension whose records its rows are written and transferred with. */
  readonly populatedBy?: string | null;
  /** Whether queries always join it when its dimensions appear. */
  readonly alwaysJoin?: boolean;
  /** Whether clients cache its records. */
  readonly cached?: boolean;
  /** Documentation. */
  readonly doc?: string;
}

/** A hierarchical sky pixelization, whose levels are skypix dimensions (`htm7`, `healpix10`). */
export interface SkyPixSystemDefinition {
  /** The fully qualified name of its pixelization class in daf_butler's configuration. */
  readonly pixelization?: string;
  /** The lowest level (default 1). */
  readonly minLevel?: number;
  /** The highest level. */
  readonly maxLevel: number;
}

/** The definition of a whole {@link DimensionUniverse}. */
export interface DimensionUniverseConfig {
  /** The universe's namespace; default `butler-ts`. */
  readonly namespace?: string;
  /** The universe's version; default 0. */
  readonly version?: number;
  /** The dimensions by name. */
  readonly dimensions: Readonly<Record<string, DimensionDefinition>>;
  /** The elements that are not dimensions (e.g. `visit_detector_region`), by name. */
  readonly elements?: Readonly<Record<string, DimensionElementDefinition>>;
  /** Sky pixelization systems by name, and the common skypix dimension. */
  readonly skypix?: {
    /** The skypix dimension that relates all other spatial elements (e.g. `htm7`). */
    readonly common: string;
    /** The systems by name. */
    readonly systems: Readonly<Record<string, SkyPixSystemDefinition>>;
  };
  /**
   * Topological families: spatial ones (whose elements have a `region` column) and temporal
   * ones (a `timespan`), each a list of element names, fine to coarse.
   */
  readonly topology?: {
    /** Spatial families by name. */
    readonly spatial?: Readonly<Record<string, readonly string[]>>;
    /** Temporal families by name. */
    readonly temporal?: Readonly<Record<string, readonly string[]>>;
  };
}

/**
 * One element of a universe: a dimension, or a relation between dimensions (e.g.
 * `visit_detector_region`). Each element with a table has a row per record.
 */
export interface DimensionElement {
  /** The element's name. */
  readonly name: string;
  /** Whether it is a dimension (has keys and appears in data IDs). */
  readonly isDimension: boolean;
  /**
   * The dimensions identifying a record, in universe order: every dimension it requires,
   * recursively, then (for a dimension) itself. These are the record's primary key.
   */
  readonly required: readonly string[];
  /** The dimensions a record determines, in universe order. */
  readonly implied: readonly string[];
  /** Key columns (a dimension's primary key first); empty for other elements. */
  readonly keys: readonly DimensionColumn[];
  /** Metadata columns, in declaration order. */
  readonly metadata: readonly DimensionColumn[];
  /** Whether it is a governor dimension. */
  readonly governor: boolean;
  /** The spatial family it belongs to (its records have a region), or `null`. */
  readonly spatial: string | null;
  /** The temporal family it belongs to (its records have a timespan), or `null`. */
  readonly temporal: string | null;
  /** The dimension whose records it is written with, or `null`. */
  readonly populatedBy: string | null;
  /** Whether queries always join it. */
  readonly alwaysJoin: boolean;
  /** Whether clients cache its records. */
  readonly cached: boolean;
  /** The dimension whose values are its records (it then has no table), or `null`. */
  readonly impliedUnionTarget: string | null;
  /** The skypix system and level of a skypix dimension, or `null`. */
  readonly skypix: {
    /** The skypix system (e.g. `htm`). */
    readonly system: string;
    /** The level in that system (e.g. 7 for `htm7`). */
    readonly level: number;
  } | null;
  /** Whether its records live in a table of their own (not for skypix or implied-union dimensions). */
  readonly hasOwnTable: boolean;
  /** Documentation (empty when none). */
  readonly doc: string;
}

/** One dimension of a universe, as resolved from its {@link DimensionDefinition}. */
export interface Dimension extends DimensionElement {
  /** The dimension's name: lowercase letters, digits and `_`, starting with a letter. */
  readonly name: string;
  /** The type of its key values in data IDs. */
  readonly keyType: DimensionKeyType;
  /** Dimensions that are part of this one's key, as declared; empty when none. */
  readonly requires: readonly string[];
  /** Dimensions whose values this one determines, as declared; empty when none. */
  readonly implies: readonly string[];
  /** Whether it is a governor dimension (its name may not name a dataset type). */
  readonly governor: boolean;
}

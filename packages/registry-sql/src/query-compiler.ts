// Compiles registry-interfaces' query AST into drizzle `sql` objects. Dialect-neutral: each
// dialect supplies a SqlDialect (value codec, table references, prefix matching, casts).
import {
  ColumnValueError,
  UnknownColumnError,
  normalizeColumnValue,
  textProblem,
  validateIdentifier,
} from '@butler-ts/ddl';
import type { FieldSpec } from '@butler-ts/ddl';
import type {
  ConstantRows,
  Expr,
  FromItem,
  SelectQuery,
  TableHandle,
} from '@butler-ts/registry-interfaces';
import { InvalidArgumentError, NotSupportedError } from '@butler-ts/registry-interfaces';
import { sql } from 'drizzle-orm';
import type { SQL } from 'drizzle-orm';
import { isCanonicalList } from './canonical-lists.ts';

/** What a dialect tells the compiler. */
export interface SqlDialect {
  /** The value a driver binds for a canonical column value. */
  encode(field: FieldSpec, value: unknown): unknown;
  /** `schema.table` as this dialect refers to it (temporary tables live outside the schema). */
  tableRef(name: string, temporary: boolean): SQL;
  /** A case-sensitive prefix match whose metacharacters in `prefix` match themselves. */
  startsWith(expr: SQL, prefix: string): SQL;
  /** A bound value typed as `field` (PostgreSQL needs casts for untyped parameters). */
  typedParam(field: FieldSpec, encoded: unknown): SQL;
  /**
   * `expr IN (values)` for encoded, non-null values of `field`: one bound parameter for the
   * whole list where the engine can (a JSON array on SQLite, an array on PostgreSQL), so the
   * statement text does not depend on the list's length.
   */
  inList(expr: SQL, field: FieldSpec, encoded: readonly unknown[]): SQL;
  /**
   * An expression that turns the stored form of `field` into its canonical value inside the
   * database, or `null` when the value is decoded after reading (or needs no decoding). Used
   * only for the outermost select list of a read, never for subqueries or `INSERT … SELECT`,
   * which must see stored forms.
   */
  decodeInSql(field: FieldSpec, expr: SQL): SQL | null;
  /** The any-value aggregate, or `null` when the engine has none. */
  readonly anyValue: string | null;
  readonly hasDistinctOn: boolean;
}

/** One output column of a compiled select: its label and, when known, the field it reads. */
export interface OutputColumn {
  /** The name the column has in the result rows. */
  readonly label: string;
  /** The field the column reads, or null for an expression. */
  readonly field: FieldSpec | null;
  /** Whether the select list already decodes the value (see `SqlDialect.decodeInSql`). */
  readonly decoded: boolean;
}

/** How a select is compiled. */
export interface CompileOptions {
  /**
   * Decode output columns in SQL where the dialect can (a read's outermost select); off for
   * `INSERT … SELECT` and subqueries, which need stored forms.
   */
  readonly decode?: boolean;
}

interface Scope {
  readonly items: readonly { alias: string; fields: ReadonlyMap<string, FieldSpec> }[];
}

interface Compiled {
  readonly sql: SQL;
  /** The field an expression reads, so values compared with it are encoded as that column. */
  readonly field: FieldSpec | null;
}

const TRUE = sql`(1 = 1)`;
const FALSE = sql`(1 = 0)`;

function isConstantRows(source: TableHandle | ConstantRows): source is ConstantRows {
  return (source as ConstantRows).kind === 'constantRows';
}

export class QueryCompiler {
  readonly #dialect: SqlDialect;

  constructor(dialect: SqlDialect) {
    this.#dialect = dialect;
  }

  /** Encodes one value for `field`, checking it first (typed errors before any SQL). */
  bind(table: string, field: FieldSpec, value: unknown): unknown {
    if (value === null || value === undefined) return null;
    return this.#dialect.encode(field, normalizeColumnValue(table, field, value));
  }

  compileSelect(
    query: SelectQuery,
    options: CompileOptions = {},
  ): { sql: SQL; outputs: OutputColumn[] } {
    if (query.from.length === 0)
      throw new InvalidArgumentError('A select needs at least one relation in `from`');
    const scope: Scope = { items: query.from.map((item) => this.#scopeItem(item)) };
    const aliases = new Set<string>();
    for (const item of scope.items) {
      if (aliases.has(item.alias))
        throw new InvalidArgumentError(
          `Alias ${JSON.stringify(item.alias)} is used twice in one select`,
        );
      aliases.add(item.alias);
    }
    let columns = query.columns;
    if (columns === undefined) {
      if (scope.items.length !== 1)
        throw new InvalidArgumentError('A select from several relations must name its columns');
      const only = scope.items[0]!;
      columns = Object.fromEntries(
        [...only.fields.keys()].map((name) => [
          name,
          { kind: 'column', from: only.alias, column: name } as const,
        ]),
      );
    }
    const outputs: OutputColumn[] = [];
    const selectList: SQL[] = [];
    for (const [label, expr] of Object.entries(columns)) {
      validateIdentifier(label, 'output column');
      const compiled = this.#expr(expr, scope);
      const field = expr.kind === 'aggregate' && expr.fn === 'count' ? null : compiled.field;
      const decoded =
        options.decode === true && field !== null
          ? this.#dialect.decodeInSql(field, compiled.sql)
          : null;
      outputs.push({ label, field, decoded: decoded !== null });
      selectList.push(sql`${decoded ?? compiled.sql} AS ${sql.identifier(label)}`);
    }
    const parts: SQL[] = [sql`SELECT`];
    if (query.distinctOn !== undefined && query.distinctOn.length > 0) {
      if (!this.#dialect.hasDistinctOn)
        throw new NotSupportedError('DISTINCT ON is not supported by this database');
      parts.push(
        sql`DISTINCT ON (${sql.join(
          query.distinctOn.map((e) => this.#expr(e, scope).sql),
          sql`, `,
        )})`,
      );
    }
    parts.push(sql.join(selectList, sql`, `));
    parts.push(sql`FROM`);
    parts.push(
      sql.join(
        query.from.map((item, i) => this.#fromSql(item, scope.items[i]!.alias)),
        sql`, `,
      ),
    );
    if (query.where !== undefined) parts.push(sql`WHERE ${this.#expr(query.where, scope).sql}`);
    if (query.groupBy !== undefined && query.groupBy.length > 0) {
      parts.push(
        sql`GROUP BY ${sql.join(
          query.groupBy.map((e) => this.#expr(e, scope).sql),
          sql`, `,
        )}`,
      );
    }
    if (query.orderBy !== undefined && query.orderBy.length > 0) {
      const terms = query.orderBy.map(
        (t) => sql`${this.#expr(t.expr, scope).sql}${t.desc === true ? sql` DESC` : sql``}`,
      );
      parts.push(sql`ORDER BY ${sql.join(terms, sql`, `)}`);
    }
    if (query.limit !== undefined) {
      if (!Number.isSafeInteger(query.limit) || query.limit < 0)
        throw new InvalidArgumentError(`Bad limit ${String(query.limit)}`);
      parts.push(sql`LIMIT ${sql.raw(String(query.limit))}`);
    }
    return { sql: sql.join(parts, sql` `), outputs };
  }

  /**
   * The parts of `SELECT <every column, decoded where the dialect can> FROM table AS <alias>
   * WHERE where`, for a dialect's paged or cursor reads; `alias` is the table's name.
   */
  compileTableScan(
    table: TableHandle,
    where: Expr,
  ): { columns: SQL; from: SQL; where: SQL; alias: string; outputs: OutputColumn[] } {
    const scope: Scope = { items: [this.#scopeItem({ source: table })] };
    const alias = scope.items[0]!.alias;
    const outputs: OutputColumn[] = [];
    const list: SQL[] = [];
    for (const field of table.spec.fields) {
      const column = this.#expr({ kind: 'column', from: alias, column: field.name }, scope).sql;
      const decoded = this.#dialect.decodeInSql(field, column);
      outputs.push({ label: field.name, field, decoded: decoded !== null });
      list.push(sql`${decoded ?? column} AS ${sql.identifier(field.name)}`);
    }
    return {
      columns: sql.join(list, sql`, `),
      from: this.#fromSql({ source: table }, alias),
      where: this.#expr(where, scope).sql,
      alias,
      outputs,
    };
  }

  /** A WHERE condition on one table (for delete/update/count). */
  compileWhere(table: TableHandle, where: Expr): SQL {
    const scope: Scope = { items: [{ alias: table.name, fields: fieldMap(table.spec.fields) }] };
    return this.#expr(where, scope).sql;
  }

  #scopeItem(item: FromItem): { alias: string; fields: ReadonlyMap<string, FieldSpec> } {
    if (isConstantRows(item.source)) {
      if (item.alias === undefined) throw new InvalidArgumentError('Constant rows need an alias');
      return {
        alias: validateIdentifier(item.alias, 'alias'),
        fields: fieldMap(item.source.fields),
      };
    }
    return {
      alias: validateIdentifier(item.alias ?? item.source.name, 'alias'),
      fields: fieldMap(item.source.spec.fields),
    };
  }

  #fromSql(item: FromItem, alias: string): SQL {
    const source = item.source;
    if (!isConstantRows(source)) {
      const temporary = (source as { temporary?: boolean }).temporary === true;
      return sql`${this.#dialect.tableRef(source.name, temporary)} AS ${sql.identifier(alias)}`;
    }
    if (source.rows.length === 0) {
      const nulls = source.fields.map(
        (f) => sql`${this.#dialect.typedParam(f, null)} AS ${sql.identifier(f.name)}`,
      );
      return sql`(SELECT ${sql.join(nulls, sql`, `)} WHERE ${FALSE}) AS ${sql.identifier(alias)}`;
    }
    const selects = source.rows.map((row) => {
      for (const key of Object.keys(row)) {
        if (!source.fields.some((f) => f.name === key))
          throw new UnknownColumnError(
            alias,
            key,
            source.fields.map((f) => f.name),
          );
      }
      const values = source.fields.map(
        (f) =>
          sql`${this.#dialect.typedParam(f, this.bind(alias, f, row[f.name]))} AS ${sql.identifier(f.name)}`,
      );
      return sql`SELECT ${sql.join(values, sql`, `)}`;
    });
    return sql`(${sql.join(selects, sql` UNION ALL `)}) AS ${sql.identifier(alias)}`;
  }

  #column(expr: Extract<Expr, { kind: 'column' }>, scope: Scope): Compiled {
    const candidates =
      expr.from === null ? scope.items : scope.items.filter((i) => i.alias === expr.from);
    if (candidates.length === 0)
      throw new InvalidArgumentError(`Unknown relation ${JSON.stringify(expr.from)} in query`);
    const matches = candidates.filter((i) => i.fields.has(expr.column));
    if (matches.length === 0) {
      const item = candidates[0]!;
      throw new UnknownColumnError(item.alias, expr.column, [...item.fields.keys()]);
    }
    if (matches.length > 1)
      throw new InvalidArgumentError(
        `Column ${JSON.stringify(expr.column)} is ambiguous; name its relation`,
      );
    const item = matches[0]!;
    return {
      sql: sql`${sql.identifier(item.alias)}.${sql.identifier(expr.column)}`,
      field: item.fields.get(expr.column)!,
    };
  }

  #operand(expr: Expr, scope: Scope, against: FieldSpec | null, table: string): SQL {
    if (expr.kind === 'value') {
      if (against !== null) return sql`${this.bind(table, against, expr.value)}`;
      return sql`${checkedFree(expr.value, scope)}`;
    }
    return this.#expr(expr, scope).sql;
  }

  #expr(expr: Expr, scope: Scope): Compiled {
    switch (expr.kind) {
      case 'column':
        return this.#column(expr, scope);
      case 'value':
        return { sql: sql`${checkedFree(expr.value, scope)}`, field: null };
      case 'literal':
        return { sql: expr.value ? TRUE : FALSE, field: null };
      case 'compare': {
        if (!['=', '!=', '<', '<=', '>', '>='].includes(expr.op))
          throw new InvalidArgumentError(`Unknown operator ${String(expr.op)}`);
        const left = expr.left.kind === 'value' ? null : this.#expr(expr.left, scope);
        const right = expr.right.kind === 'value' ? null : this.#expr(expr.right, scope);
        const leftSql =
          left?.sql ?? this.#operand(expr.left, scope, right?.field ?? null, tableOf(scope));
        const rightSql =
          right?.sql ?? this.#operand(expr.right, scope, left?.field ?? null, tableOf(scope));
        const op = expr.op === '!=' ? '<>' : expr.op;
        return { sql: sql`(${leftSql} ${sql.raw(op)} ${rightSql})`, field: null };
      }
      case 'in': {
        if (expr.values.length === 0) return { sql: FALSE, field: null };
        const target = this.#expr(expr.expr, scope);
        const field = target.field;
        if (field === null) {
          return {
            sql: sql`(${target.sql} IN (${sql.join(
              expr.values.map((v) => sql`${checkedFree(v, scope)}`),
              sql`, `,
            )}))`,
            field: null,
          };
        }
        // NULL never matches IN; leave nulls out so the engine can bind one list.
        const table = tableOf(scope);
        const encoded = isCanonicalList(expr.values, field)
          ? expr.values.map((v) => this.#dialect.encode(field, v))
          : expr.values
              .filter((v) => v !== null && v !== undefined)
              .map((v) => this.bind(table, field, v));
        if (encoded.length === 0) return { sql: FALSE, field: null };
        return { sql: this.#dialect.inList(target.sql, field, encoded), field: null };
      }
      case 'inSelect': {
        const target = this.#expr(expr.expr, scope);
        const inner = this.compileSelect(expr.select);
        if (inner.outputs.length !== 1)
          throw new InvalidArgumentError('An IN (SELECT …) needs exactly one output column');
        return { sql: sql`(${target.sql} IN (${inner.sql}))`, field: null };
      }
      case 'isNull': {
        const target = this.#expr(expr.expr, scope);
        return { sql: sql`(${target.sql} IS ${expr.negate ? sql`NOT ` : sql``}NULL)`, field: null };
      }
      case 'startsWith': {
        if (typeof expr.prefix !== 'string')
          throw new ColumnValueError(tableOf(scope), '*', expr.prefix, 'a prefix must be a string');
        const problem = textProblem(expr.prefix);
        if (problem !== null) {
          const column = expr.expr.kind === 'column' ? expr.expr.column : '*';
          throw new ColumnValueError(tableOf(scope), column, expr.prefix, `the prefix ${problem}`);
        }
        return {
          sql: this.#dialect.startsWith(this.#expr(expr.expr, scope).sql, expr.prefix),
          field: null,
        };
      }
      case 'and':
      case 'or': {
        if (expr.items.length === 0)
          return { sql: expr.kind === 'and' ? TRUE : FALSE, field: null };
        const joiner = expr.kind === 'and' ? sql` AND ` : sql` OR `;
        return {
          sql: sql`(${sql.join(
            expr.items.map((i) => this.#expr(i, scope).sql),
            joiner,
          )})`,
          field: null,
        };
      }
      case 'not':
        return { sql: sql`(NOT ${this.#expr(expr.item, scope).sql})`, field: null };
      case 'aggregate': {
        if (expr.fn === 'count') {
          return {
            sql:
              expr.expr === null ? sql`count(*)` : sql`count(${this.#expr(expr.expr, scope).sql})`,
            field: null,
          };
        }
        if (expr.expr === null) throw new InvalidArgumentError(`${expr.fn}() needs an expression`);
        const inner = this.#expr(expr.expr, scope);
        let fn: string = expr.fn;
        if (expr.fn === 'anyValue') {
          if (this.#dialect.anyValue === null)
            throw new NotSupportedError('This database has no any-value aggregate');
          fn = this.#dialect.anyValue;
        }
        return { sql: sql`${sql.raw(fn)}(${inner.sql})`, field: inner.field };
      }
      default:
        throw new InvalidArgumentError(`Unknown expression ${JSON.stringify(expr)}`);
    }
  }
}

/** A value compared with no column: strings must still be storable text (see `textProblem`). */
function checkedFree(value: unknown, scope: Scope): unknown {
  if (typeof value === 'string') {
    const problem = textProblem(value);
    if (problem !== null)
      throw new ColumnValueError(tableOf(scope), '*', value, `the string ${problem}`);
  }
  return value;
}

function tableOf(scope: Scope): string {
  return scope.items.map((i) => i.alias).join(',');
}

function fieldMap(fields: readonly FieldSpec[]): ReadonlyMap<string, FieldSpec> {
  return new Map(fields.map((f) => [f.name, f]));
}

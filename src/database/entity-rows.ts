import type { DataSource, EntityManager, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';
import { newId } from './ids.js';
import { preparedQuery } from './prepared-query.js';

/**
 * Entities to and from hand-written SQL, converted column by column as TypeORM converts them (dates, jsonb,
 * bigint transformers): for the hottest paths, where building the query and grouping the joined rows in
 * TypeORM cost several times the query itself. `select` lists the columns as `<alias>_<column>`, so one row
 * can carry several entities of a join.
 */
export class EntityRows<T extends ObjectLiteral> {
  /** `alias.column AS "alias_column", …`, for a SELECT list. */
  readonly select: string;
  /**
   * The same columns as one JSON object keyed `alias_column` (`json_build_object`), which `from` reads as it
   * reads a row: for a subquery's `json_agg`, so a parent comes with its children in one row.
   */
  readonly jsonObject: string;
  private readonly entity: EntityMetadata;
  private readonly columns: { key: string; metadata: ColumnMetadata }[];

  /** `omit`: properties no reader of these entities uses, left unread (and undefined). */
  constructor(
    private readonly dataSource: DataSource,
    target: EntityTarget<T>,
    private readonly alias: string,
    omit: (keyof T & string)[] = [],
  ) {
    this.entity = dataSource.getMetadata(target);
    this.columns = this.entity.columns
      .filter((metadata) => !omit.includes(metadata.propertyName as keyof T & string))
      .map((metadata) => ({
        key: `${alias}_${metadata.databaseName}`,
        metadata,
      }));
    this.select = this.columns
      .map(({ key, metadata }) => `${alias}.${metadata.databaseName} AS "${key}"`)
      .join(', ');
    this.jsonObject = `json_build_object(${this.columns
      .map(({ key, metadata }) => `'${key}', ${alias}.${metadata.databaseName}`)
      .join(', ')})`;
  }

  /** The entity in `row`, or null when a LEFT JOIN found none (or the row does not hold it). */
  from(row: Record<string, unknown>): T | null {
    if (row[`${this.alias}_id`] == null) return null;
    const entity = this.entity.create() as T;
    for (const { key, metadata } of this.columns)
      metadata.setEntityValue(entity, this.dataSource.driver.prepareHydratedValue(row[key], metadata));
    return entity;
  }

  /**
   * `INSERT INTO table (…) VALUES (…), …` of new entities: the columns the first one sets, ids made here (as
   * BaseEntity's BeforeInsert would), timestamps and other defaults left to Postgres. Its parameters are
   * appended to `values`, so one statement can hold several inserts (as CTEs).
   */
  insertStatement(entities: T[], values: unknown[]): string {
    for (const entity of entities) (entity as { id?: string }).id ??= newId();
    const columns = this.entity.columns.filter(
      (column) =>
        !column.isCreateDate && !column.isUpdateDate && column.getEntityValue(entities[0]) !== undefined,
    );
    const tuples = entities.map((entity) => {
      const placeholders = columns.map((column) => {
        values.push(this.dataSource.driver.preparePersistentValue(column.getEntityValue(entity), column));
        return `$${values.length}`;
      });
      return `(${placeholders.join(', ')})`;
    });
    return `INSERT INTO ${this.entity.tablePath} (${columns.map((column) => column.databaseName).join(', ')}) VALUES ${tuples.join(', ')}`;
  }

  /** Inserts new entities in one prepared statement (see insertStatement); nothing is read back. */
  async insert(manager: EntityManager, entities: T[]): Promise<void> {
    if (entities.length === 0) return;
    const values: unknown[] = [];
    await preparedQuery(manager, this.insertStatement(entities, values), values);
  }
}

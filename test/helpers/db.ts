import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { inject } from 'vitest';
import { createDb, type Db, migrateToLatest } from '../../db/index.js';

export interface TestDb {
  db: Db;
  schema: string;
  /** Connection string of the test database (the schema is set per pool via search_path). */
  url: string;
  destroy(): Promise<void>;
}

/** A fresh, migrated Postgres schema for one test file: files run in parallel and never see each other's rows. */
export async function createTestDb(prefix = 't'): Promise<TestDb> {
  const url = inject('pgUrl');
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = createDb({ url, poolSize: 1 });
  await sql`create schema ${sql.id(schema)}`.execute(admin);
  await admin.destroy();
  const db = createDb({ url, poolSize: 5, schema });
  await migrateToLatest(db, schema);
  return {
    db,
    schema,
    url,
    async destroy() {
      await db.destroy();
      const cleanup = createDb({ url, poolSize: 1 });
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(cleanup);
      await cleanup.destroy();
    },
  };
}

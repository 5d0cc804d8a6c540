import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createDb, migrateToLatest, migrationStatus } from '../../db/index.js';
import { migrations } from '../../db/migrations/index.js';

describe('migrations on a real Postgres', () => {
  const url = inject('pgUrl');
  const schema = `mig_${randomBytes(5).toString('hex')}`;
  const admin = createDb({ url, poolSize: 1 });
  const db = createDb({ url, poolSize: 2, schema });

  afterAll(async () => {
    await db.destroy();
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(admin);
    await admin.destroy();
  });

  it('applies every listed migration in order on an empty schema, then reports it up to date', async () => {
    await sql`create schema ${sql.id(schema)}`.execute(admin);
    const before = await migrationStatus(db, schema);
    expect(before.every((m) => m.executedAt === undefined)).toBe(true);
    const applied = await migrateToLatest(db, schema);
    expect(applied).toEqual(Object.keys(migrations));
    expect(await migrateToLatest(db, schema)).toEqual([]);
    const after = await migrationStatus(db, schema);
    expect(after.map((m) => m.name)).toEqual(Object.keys(migrations));
    expect(after.every((m) => m.executedAt instanceof Date)).toBe(true);
  });

  it('names migrations by timestamp, in order', () => {
    const names = Object.keys(migrations);
    for (const n of names) expect(n).toMatch(/^\d{8}T\d{6}_[a-z0-9_]+$/);
    expect([...names].sort()).toEqual(names);
  });

  it('keeps money exact: numeric amounts come back as strings with 7 decimals', async () => {
    await sql`insert into transactions (id, kind, status, sub, sub_account, asset_code, stellar_account, amount_in)
      values ('mig-test-1', 'deposit', 'incomplete', 'GA', 'GA', 'USDC', 'GA', '12345678901234.1234567')`.execute(
      db,
    );
    const row = await db
      .selectFrom('transactions')
      .select(['amount_in', 'started_at'])
      .where('id', '=', 'mig-test-1')
      .executeTakeFirstOrThrow();
    expect(row.amount_in).toBe('12345678901234.1234567');
    expect(row.started_at).toBeInstanceOf(Date);
  });

  it('migrates while other schemas on the same database are created and dropped (what test files and other apps do)', async () => {
    // Kysely's own introspection reads every schema's tables (has_schema_privilege, pg_get_serial_sequence by
    // name): a schema dropped between its catalog scan and those calls failed the migration with
    // 'schema "…" does not exist' (CI, 2026-12-03). Ours reads only the schema it migrates.
    const churn = createDb({ url, poolSize: 2 });
    const prefix = `churn_${randomBytes(3).toString('hex')}`;
    let stop = false;
    let cycles = 0;
    const loop = (async () => {
      for (let i = 0; !stop; i++) {
        const name = `${prefix}_${i}`;
        await sql`create schema ${sql.id(name)}`.execute(churn);
        await sql`create table ${sql.id(name)}.t (id serial primary key, v text)`.execute(churn);
        await sql`drop schema ${sql.id(name)} cascade`.execute(churn);
        cycles++;
      }
    })();
    const targets = Array.from({ length: 6 }, (_, i) => `${schema}_c${i}`);
    try {
      for (const target of targets) {
        await sql`create schema ${sql.id(target)}`.execute(admin);
        const tdb = createDb({ url, poolSize: 2, schema: target });
        try {
          expect(await migrateToLatest(tdb, target)).toEqual(Object.keys(migrations));
        } finally {
          await tdb.destroy();
        }
      }
    } finally {
      stop = true;
      await loop;
      for (const target of targets) await sql`drop schema if exists ${sql.id(target)} cascade`.execute(admin);
      await churn.destroy();
    }
    expect(cycles).toBeGreaterThan(0);
  });
});

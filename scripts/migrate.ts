// npm run migrate [up|status]: applies pending migrations (default) or lists each with when it ran.
import { loadConfigOrExit } from '../config/index.js';
import { loadDotEnv } from '../config/load-env.js';
import { createDb, migrateToLatest, migrationStatus } from '../db/index.js';

loadDotEnv();
const config = loadConfigOrExit();
const command = process.argv[2] ?? 'up';
const db = createDb({ url: config.db.url, poolSize: 1 });
try {
  if (command === 'up') {
    const applied = await migrateToLatest(db);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
  } else if (command === 'status') {
    for (const m of await migrationStatus(db)) {
      console.log(`${m.executedAt ? m.executedAt.toISOString() : 'pending                 '}  ${m.name}`);
    }
  } else {
    console.error(`unknown command "${command}": use "up" or "status"`);
    process.exitCode = 2;
  }
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
} finally {
  await db.destroy();
}

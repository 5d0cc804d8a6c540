// `npm run doctor`: production readiness checks for the configured profile; exits 1 when any check fails.
import { formatReport, runDoctor } from '../api/admin/doctor.js';
import { loadConfigOrExit } from '../config/index.js';
import { loadDotEnv } from '../config/load-env.js';
import { connectTemporalClient } from '../config/temporal.js';
import { createDb } from '../db/index.js';
import { useSandboxOperatorKey } from './lib/operator-key.js';

loadDotEnv();
useSandboxOperatorKey(process.env); // the key npm start issued, if it runs beside us
const config = loadConfigOrExit();
const db = createDb({ url: config.db.url, poolSize: 2 });
let temporal: Awaited<ReturnType<typeof connectTemporalClient>> | undefined;
try {
  temporal = await connectTemporalClient(config);
} catch {
  temporal = undefined; // reported by the temporal.* checks
}
try {
  console.log(
    `anchor doctor: profile ${config.profile}, Horizon ${config.stellar.horizonUrl}, home domain ${config.api.homeDomain}\n`,
  );
  const results = await runDoctor({ config, db, temporal });
  console.log(formatReport(results));
  process.exitCode = results.every((r) => r.ok) ? 0 : 1;
} finally {
  await temporal?.connection.close();
  await db.destroy();
}

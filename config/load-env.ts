import { existsSync } from 'node:fs';
import { config as dotenv } from 'dotenv';

/** Loads a git-ignored `.env` into process.env (values already set in the environment win). Entry points only. */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) dotenv({ path, quiet: true });
}

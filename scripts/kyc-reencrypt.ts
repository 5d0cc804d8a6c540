// npm run kyc:reencrypt: after a new key was put first in KYC_ENCRYPTION_KEYS, writes every KYC document in
// KYC_UPLOAD_DIR again under it (and encrypts any written before encryption at rest). Run it until it reports
// nothing rotated, then the old keys can leave KYC_ENCRYPTION_KEYS.
import { resolve } from 'node:path';
import { reencryptBlobDir } from '../api/sep12/blob-store.js';
import { loadConfigOrExit } from '../config/index.js';
import { loadDotEnv } from '../config/load-env.js';

loadDotEnv();
const config = loadConfigOrExit();
try {
  const report = await reencryptBlobDir(resolve(config.kyc.uploadDir), config.kyc.encryptionKeys);
  console.log(
    `key "${config.kyc.encryptionKeys.currentId}": ${report.rotated} rotated, ${report.encrypted} encrypted (were plaintext), ${report.current} already current`,
  );
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
}

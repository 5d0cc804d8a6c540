import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import {
  decryptBytes,
  encryptBytes,
  type KeyRing,
  NotEncryptedError,
  storedKeyId,
} from '../../stellar/crypto.js';

/**
 * Where KYC documents live: outside the database row, behind this interface, so production can use an
 * encrypted object store. Keys look like `<customerId>/<field>-<uuid>`; all of a customer's files share the
 * `<customerId>/` prefix so an erasure removes them together.
 */
export interface BlobStore {
  put(key: string, data: Uint8Array): Promise<void>;
  get(key: string): Promise<Uint8Array | undefined>;
  delete(key: string): Promise<void>;
  /** Deletes every blob under `prefix/`; returns how many were removed. */
  deletePrefix(prefix: string): Promise<number>;
  /** Keys under `prefix/` (tests and erasure reports). */
  list(prefix: string): Promise<string[]>;
}

const SEGMENT = /^[A-Za-z0-9._-]{1,128}$/;

/** The sandbox/local implementation: one file per blob under `dir`, written with mode 0600. */
export function fsBlobStore(dir: string): BlobStore {
  const root = resolve(dir);
  const pathOf = (key: string) => {
    const parts = key.split('/');
    if (parts.length === 0 || !parts.every((p) => SEGMENT.test(p) && p !== '.' && p !== '..')) {
      throw new Error('invalid blob key');
    }
    const full = join(root, ...parts);
    if (!full.startsWith(root + sep)) throw new Error('invalid blob key');
    return full;
  };
  return {
    async put(key, data) {
      const path = pathOf(key);
      await mkdir(join(path, '..'), { recursive: true, mode: 0o700 });
      await writeFile(path, data, { mode: 0o600 });
    },
    async get(key) {
      try {
        return new Uint8Array(await readFile(pathOf(key)));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
    async list(prefix) {
      const dirPath = pathOf(prefix);
      try {
        return (await readdir(dirPath)).map((name) => `${prefix}/${name}`);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
    },
    async deletePrefix(prefix) {
      const keys = await this.list(prefix);
      await rm(pathOf(prefix), { recursive: true, force: true });
      return keys.length;
    },
  };
}

/**
 * KYC documents encrypted at rest (AES-256-GCM, stellar/crypto.ts `encryptBytes`): `put` encrypts with the ring's
 * current key, `get` decrypts with whichever configured key the stored header names, the blob key bound in as
 * associated data. A document under a key no longer configured, or tampered with, is an error
 * (`UnknownKeyError`, `DecryptionError`), never bytes handed on as if they were the document.
 */
export function encryptedBlobStore(inner: BlobStore, ring: KeyRing): BlobStore {
  return {
    put: (key, data) => inner.put(key, encryptBytes(ring, data, key)),
    async get(key) {
      const stored = await inner.get(key);
      return stored === undefined ? undefined : decryptBytes(ring, stored, key);
    },
    delete: (key) => inner.delete(key),
    deletePrefix: (prefix) => inner.deletePrefix(prefix),
    list: (prefix) => inner.list(prefix),
  };
}

export interface ReencryptReport {
  /** Re-encrypted from an older key to the current one. */
  rotated: number;
  /** Written before encryption at rest, encrypted now. */
  encrypted: number;
  /** Already under the current key. */
  current: number;
}

/**
 * Key rotation, second half: every document under `dir` not yet under the ring's current key is decrypted with
 * its own key and written again under the current one (a temporary file renamed over it, so a crash leaves the
 * old or the new version, never half of one). Plaintext files from before encryption are encrypted. Safe to run
 * again; an old key can be dropped from KYC_ENCRYPTION_KEYS once a run reports nothing rotated.
 */
export async function reencryptBlobDir(dir: string, ring: KeyRing): Promise<ReencryptReport> {
  const root = resolve(dir);
  const report: ReencryptReport = { rotated: 0, encrypted: 0, current: 0 };
  let entries: string[];
  try {
    entries = await readdir(root, { recursive: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return report;
    throw err;
  }
  for (const relative of entries.sort()) {
    const key = relative.split(sep).join('/');
    if (key.includes('.tmp-')) continue;
    const stored = await readFile(join(root, relative)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EISDIR') return undefined;
      throw err;
    });
    if (!stored) continue;
    let plaintext: Uint8Array;
    try {
      if (storedKeyId(stored) === ring.currentId) {
        report.current++;
        continue;
      }
      plaintext = decryptBytes(ring, stored, key);
      report.rotated++;
    } catch (err) {
      if (!(err instanceof NotEncryptedError)) throw err;
      plaintext = stored;
      report.encrypted++;
    }
    const path = join(root, relative);
    const tmp = `${path}.tmp-${process.pid}`;
    await writeFile(tmp, encryptBytes(ring, plaintext, key), { mode: 0o600 });
    await rename(tmp, path);
  }
  return report;
}

/** Content types accepted for KYC documents, recognised by their first bytes (the declared type is not trusted). */
export function sniffDocumentType(
  bytes: Uint8Array,
): 'image/jpeg' | 'image/png' | 'application/pdf' | undefined {
  const b = bytes;
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'image/png';
  if (b.length >= 5 && b[0] === 0x25 && b[1] === 0x50 && b[2] === 0x44 && b[3] === 0x46 && b[4] === 0x2d) {
    return 'application/pdf';
  }
  return undefined;
}

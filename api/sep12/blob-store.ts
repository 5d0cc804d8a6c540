import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';

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

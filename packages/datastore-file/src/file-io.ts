// File operations of the datastore: writes that no reader sees half done and that never
// replace an existing file, removal that tolerates files already gone, and checksums.
import { createHash, randomUUID } from 'node:crypto';
import { link, mkdir, open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ArtifactExistsError } from './errors.ts';

function code(error: unknown): string | undefined {
  return (error as { code?: string } | null)?.code;
}

/** Whether a file system error says the file is not there. */
export function isMissing(error: unknown): boolean {
  const c = code(error);
  return c === 'ENOENT' || c === 'ENOTDIR';
}

/**
 * Writes `bytes` to `path` through a temporary file in the same folder that is then linked
 * (or, where hard links are not supported, renamed) into place, so a reader sees the whole
 * file or none, and an existing file is never replaced.
 *
 * @param madeDirs folders known to exist (filled as folders are made).
 * @throws {@link ArtifactExistsError} when `path` exists already.
 */
export async function writeNewFile(
  path: string,
  bytes: Uint8Array,
  madeDirs: Set<string> | null = null,
): Promise<void> {
  const dir = dirname(path);
  if (madeDirs === null || !madeDirs.has(dir)) {
    await mkdir(dir, { recursive: true });
    madeDirs?.add(dir);
  }
  const temp = join(dir, `.${basename(path)}.${randomUUID()}.tmp`);
  // No fsync, as in daf_butler: a killed process loses nothing written; only a power cut can.
  await writeFile(temp, bytes, { flag: 'wx' });
  try {
    await link(temp, path);
  } catch (error) {
    const c = code(error);
    if (c === 'EEXIST') {
      await unlink(temp).catch(() => undefined);
      throw new ArtifactExistsError(`Cannot write ${path}: the file exists already`, {
        cause: error,
      });
    }
    if (c !== 'EPERM' && c !== 'ENOTSUP' && c !== 'EOPNOTSUPP' && c !== 'ENOSYS') {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    // No hard links here: check, then rename (a race with another writer can replace).
    if (await exists(path)) {
      await unlink(temp).catch(() => undefined);
      throw new ArtifactExistsError(`Cannot write ${path}: the file exists already`);
    }
    await rename(temp, path);
    return;
  }
  await unlink(temp);
}

/** Removes a file; a file already gone is fine. */
export async function removeFile(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
}

/** Whether `path` exists. */
export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
}

/** The bytes of a file. */
export function readBytes(path: string): Promise<Buffer> {
  return readFile(path);
}

/**
 * The bytes of a file expected to hold `expectedSize` bytes: one open and one read of
 * `expectedSize + 1` bytes (so a longer file shows), where `readFile` also stats the file and
 * reads again to find the end. The file is closed in the background: the answer does not wait
 * for it. A file of another size (or no expected size) is read with `readFile`, whole, for the
 * caller's size check to report.
 */
export async function readSized(path: string, expectedSize: number | null): Promise<Buffer> {
  if (expectedSize === null || expectedSize < 0) return readFile(path);
  const handle = await open(path, 'r');
  const buffer = Buffer.allocUnsafe(expectedSize + 1);
  const read = handle.read(buffer, 0, buffer.length, 0);
  // Closed once read, without waiting: the answer does not need the descriptor.
  void read.finally(() => handle.close().catch(() => undefined)).catch(() => undefined);
  const bytesRead = (await read).bytesRead;
  return bytesRead === expectedSize ? buffer.subarray(0, bytesRead) : readFile(path);
}

/**
 * daf_butler's checksum (`computeChecksum`, algorithm `blake2b`): the hex BLAKE2b-512 digest
 * of the file's bytes.
 */
export function checksumOf(bytes: Uint8Array, algorithm = 'blake2b'): string {
  const nodeAlgorithm = algorithm === 'blake2b' ? 'blake2b512' : algorithm;
  return createHash(nodeAlgorithm).update(bytes).digest('hex');
}

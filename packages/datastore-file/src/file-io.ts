// File operations of the datastore: writes that no reader sees half done and that never
// replace an existing file, removal that tolerates files already gone, and checksums.
import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import { readFile, stat, unlink } from 'node:fs/promises';
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
 * file or none, and an existing file is never replaced. A temporary file that could not be
 * written whole is removed.
 *
 * The steps (make the folder, open, write, close, link, unlink) run as one chain of callbacks
 * under one promise: the promise API would add a file handle and a promise per step, which on
 * a small file cost as much CPU as the system calls themselves.
 *
 * @param madeDirs folders made before (filled as folders are made); one that is gone is made
 *   again.
 * @throws {@link ArtifactExistsError} when `path` exists already.
 */
export function writeNewFile(
  path: string,
  bytes: Uint8Array,
  madeDirs: Set<string> | null = null,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const dir = dirname(path);
    const temp = join(dir, `.${basename(path)}.${randomUUID()}.tmp`);
    // Removes the temporary file, then fails with `error`.
    const discard = (error: Error): void => {
      fs.unlink(temp, () => reject(error));
    };
    const open = (retry: boolean): void => {
      // No fsync, as in daf_butler: a killed process loses nothing written; only a power cut can.
      fs.open(temp, 'wx', (error, fd) => {
        if (error === null) write(fd, 0);
        else if (retry && error.code === 'ENOENT') makeDir();
        else reject(error);
      });
    };
    const write = (fd: number, offset: number): void => {
      fs.write(fd, bytes, offset, bytes.byteLength - offset, null, (error, written) => {
        if (error !== null) {
          fs.close(fd, () => discard(error));
        } else if (offset + written < bytes.byteLength) {
          write(fd, offset + written);
        } else {
          fs.close(fd, (closeError) => {
            if (closeError !== null) discard(closeError);
            else fs.link(temp, path, linked);
          });
        }
      });
    };
    const linked = (error: NodeJS.ErrnoException | null): void => {
      if (error === null) {
        fs.unlink(temp, (unlinkError) => {
          if (unlinkError !== null) reject(unlinkError);
          else resolve();
        });
        return;
      }
      const c = error.code;
      if (c === 'EEXIST') {
        discard(
          new ArtifactExistsError(`Cannot write ${path}: the file exists already`, {
            cause: error,
          }),
        );
      } else if (c !== 'EPERM' && c !== 'ENOTSUP' && c !== 'EOPNOTSUPP' && c !== 'ENOSYS') {
        discard(error);
      } else {
        // No hard links here: check, then rename (a race with another writer can replace).
        fs.stat(path, (statError) => {
          if (statError === null) {
            discard(new ArtifactExistsError(`Cannot write ${path}: the file exists already`));
          } else if (!isMissing(statError)) {
            discard(statError);
          } else {
            fs.rename(temp, path, (renameError) => {
              if (renameError !== null) discard(renameError);
              else resolve();
            });
          }
        });
      }
    };
    const makeDir = (): void => {
      fs.mkdir(dir, { recursive: true }, (error) => {
        if (error !== null) {
          madeDirs?.delete(dir);
          reject(error);
          return;
        }
        madeDirs?.add(dir);
        open(false);
      });
    };
    // A folder made before may have been removed since (by another process): then it is
    // made again.
    if (madeDirs !== null && madeDirs.has(dir)) open(true);
    else makeDir();
  });
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
 * caller's size check to report. Callbacks under one promise, as in {@link writeNewFile}.
 */
export function readSized(path: string, expectedSize: number | null): Promise<Buffer> {
  if (expectedSize === null || expectedSize < 0) return readFile(path);
  return new Promise((resolve, reject) => {
    fs.open(path, 'r', (error, fd) => {
      if (error !== null) {
        reject(error);
        return;
      }
      const buffer = Buffer.allocUnsafe(expectedSize + 1);
      fs.read(fd, buffer, 0, buffer.length, 0, (readError, bytesRead) => {
        // Closed once read, without waiting: the answer does not need the descriptor.
        fs.close(fd, () => undefined);
        if (readError !== null) reject(readError);
        else if (bytesRead === expectedSize) resolve(buffer.subarray(0, bytesRead));
        else readFile(path).then(resolve, reject);
      });
    });
  });
}

/**
 * daf_butler's checksum (`computeChecksum`, algorithm `blake2b`): the hex BLAKE2b-512 digest
 * of the file's bytes.
 */
export function checksumOf(bytes: Uint8Array, algorithm = 'blake2b'): string {
  const nodeAlgorithm = algorithm === 'blake2b' ? 'blake2b512' : algorithm;
  return createHash(nodeAlgorithm).update(bytes).digest('hex');
}

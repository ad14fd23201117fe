import { createRegistry } from '@butler-ts/registry-sql';
import { ButlerError } from '@butler-ts/versioning';
import { checkLocation, errorText } from './connect.ts';
import type { CommandContext, RegistryCommandOptions } from './context.ts';
import { DatabaseConnectionError } from './errors.ts';
import { textTable } from './text-table.ts';
import { parseRegistryUri } from './uri.ts';

/** `butler-ts create <uri>`: a new registry with every manager's tables and versions. */
export async function createCommand(
  uri: string,
  options: RegistryCommandOptions,
  context: CommandContext,
): Promise<void> {
  const location = parseRegistryUri(uri);
  checkLocation(location, { writeable: true, namespace: options.namespace, creating: true });
  let registry;
  try {
    registry = await createRegistry(location.uri, {
      ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
    });
  } catch (error) {
    if (ButlerError.is(error)) throw error;
    throw new DatabaseConnectionError(
      location.display,
      `Cannot create a registry at ${location.display}: ${errorText(error)}`,
      { cause: error },
    );
  }
  try {
    const rows = [...registry.versions].map(([type, version]) => [type, version.toString()]);
    await context.out.write(
      `Created registry in ${registry.db.toString()}\n` +
        textTable(['MANAGER', 'VERSION'], rows, { indent: '  ' }),
    );
  } finally {
    await registry.close();
  }
}

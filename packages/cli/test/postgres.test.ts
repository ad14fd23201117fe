import { describe, it } from 'vitest';
import { describeCommands } from './command-suite.ts';
import { postgresEngine } from './engines.ts';
import { pgAvailable } from './helpers.ts';

if (await pgAvailable()) describeCommands('PostgreSQL', () => postgresEngine('butler_cli_cmd'));
else describe.skip('butler-ts on PostgreSQL', () => it('needs a server (see BUTLER_TEST_PG_URL)'));

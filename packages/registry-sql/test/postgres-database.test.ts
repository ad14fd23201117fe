import { describeDatabase } from '@butler-ts/testkit';
import { describe } from 'vitest';
import { pgAvailable, postgresHarness } from './postgres-harness.ts';

const available = await pgAvailable();

describe.skipIf(!available)('PostgreSQL server', () => {
  describeDatabase('PostgreSQL', () => postgresHarness('butler_db'));
});

import { describeDatabase } from '@butler-ts/testkit';
import { sqliteFileHarness, sqliteMemoryHarness } from './sqlite-harness.ts';

describeDatabase('SQLite file', sqliteFileHarness);
describeDatabase('SQLite memory', sqliteMemoryHarness);

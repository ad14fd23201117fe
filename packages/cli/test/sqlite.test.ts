import { describeCommands } from './command-suite.ts';
import { sqliteEngine } from './engines.ts';

describeCommands('SQLite', sqliteEngine);

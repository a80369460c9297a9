// The historian (SQLite), its queries and backups, and the one connection factory for the edge's database file.
// This file is the folder's public surface: other folders import from here and nothing else
// (test/unit/module-boundaries.test.ts checks it); every other file in the folder is private.
export { hasTable, migrateModule, openDatabase } from './database.js';
export type { OpenDatabaseOptions } from './database.js';
export { openHistorian, tagPolicies } from './historian.js';
export type { Historian, TagPolicy } from './historian.js';
export { csvStream, kpiCsvLines, statesCsvLines, trendCsvLines } from './history-csv.js';
export { UnknownTagError } from './history-query.js';
export type { HistoryQueries } from './history-query.js';
export { replayKpiHistory, replayStart, startKpisFromHistory } from './kpi-replay.js';
export { lastGoodValues } from './last-values.js';
export { openReadWorker } from './read-worker-client.js';
export { ReadTimedOut, ReadsBusy, inlineReads, statesPaged } from './reads.js';
export type { Reads } from './reads.js';

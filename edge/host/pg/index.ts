// The plant host on PostgreSQL (issue 19): the store (tables, partitions, idempotent writes),
// the primary-host lease of redundant hosts and the plant-wide queries. The host's SQLite mode
// needs none of it.
export { openPlantStore, PLANT_STORE_DEFAULTS, redactPgUrl } from './plant-store.js';
export type { PlantStore, PlantStoreHealth, PlantStoreSettings, PlantWriter, StoreLayout } from './plant-store.js';
export { PARTITIONED } from './plant-tables.js';
export { openPlantDatabase, type PlantDatabase } from './plant-database.js';
export { HostPostgresSchema, type HostPostgres } from './postgres-settings.js';
export { createPrimaryLease, type PrimaryLease } from './primary-lease.js';
export { plantAlarmStats, plantEnergy, plantLosses, plantOee } from './plant-queries.js';

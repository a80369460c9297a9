// The plant host on PostgreSQL (issue 19): the store (tables, partitions, idempotent writes),
// the primary-host lease and the plant-wide queries. The host's SQLite mode needs none of it.
export { openPlantStore, PLANT_STORE_DEFAULTS, redactPgUrl } from './plant-store.js';
export type { PlantStore, PlantStoreHealth, PlantStoreSettings, PlantWriter, StoreLayout } from './plant-store.js';
export { PARTITIONED } from './plant-tables.js';

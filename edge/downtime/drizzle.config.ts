import { defineConfig } from 'drizzle-kit';

export default defineConfig({ dialect: 'sqlite', schema: './edge/downtime/downtime-tables.ts', out: './edge/downtime/migrations' });

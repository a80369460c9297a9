import { defineConfig } from 'drizzle-kit';

export default defineConfig({ dialect: 'sqlite', schema: './edge/handover/handover-tables.ts', out: './edge/handover/migrations' });

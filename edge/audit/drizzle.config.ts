import { defineConfig } from 'drizzle-kit';

export default defineConfig({ dialect: 'sqlite', schema: './edge/audit/audit-schema.ts', out: './edge/audit/migrations' });

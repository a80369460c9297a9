import { defineConfig } from 'drizzle-kit';

export default defineConfig({ dialect: 'sqlite', schema: './edge/auth/auth-schema.ts', out: './edge/auth/migrations' });

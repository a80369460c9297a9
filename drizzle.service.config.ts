// Migrations of the service module's tables (edge/service/service-schema.ts); `npm run db:generate` runs every module's.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './edge/service/service-schema.ts',
  out: './edge/service/migrations',
});

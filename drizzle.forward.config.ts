// Migrations of the uplink's store-and-forward file (edge/uplink/forward-schema.ts); `npm run db:generate` runs every module's.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './edge/uplink/forward-schema.ts',
  out: './edge/uplink/migrations',
});

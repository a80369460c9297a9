// Migrations of the emissions module's tables (edge/emissions/emission-tables.ts).
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './edge/emissions/emission-tables.ts',
  out: './edge/emissions/migrations',
});

// Migrations of the energy module's tables (edge/energy/store/schema.ts).
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './edge/energy/store/schema.ts',
  out: './edge/energy/store/migrations',
});

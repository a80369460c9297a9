// Migrations of the orders module's tables (edge/orders/schema.ts).
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './edge/orders/schema.ts',
  out: './edge/orders/migrations',
});

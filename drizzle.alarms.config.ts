// Migrations of the alarms / recorder / service-case tables (edge/alarms/store/schema.ts),
// separate from the historian's so each module owns its stream; `npm run db:generate` runs both.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './edge/alarms/store/schema.ts',
  out: './edge/alarms/store/migrations',
});

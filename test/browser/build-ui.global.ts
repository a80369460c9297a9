// Builds dist/twin-ui once before the browser tests (skip with TWIN_UI_PREBUILT=1).
import { build } from 'vite';

export default async function setup(): Promise<void> {
  if (process.env.TWIN_UI_PREBUILT === '1') return;
  await build({ configFile: 'twin-ui/vite.config.ts', logLevel: 'warn' });
}

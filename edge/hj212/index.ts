// HJ 212 over TCP: the stream framer the edge's link uses; hj212-cli.ts and reference-platform.ts are tools and tests' peer.
// This file is the folder's public surface: other folders import from here and nothing else
// (test/unit/module-boundaries.test.ts checks it); every other file in the folder is private.
export { Hj212Framer } from './framer.js';
export type { FramerOutput } from './framer.js';

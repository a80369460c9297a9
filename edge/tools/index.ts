// Engineering tools: the OPC UA address-space browser (CLI: npm run browse; the twin's layout
// mode uses the same walk to add machines).
// This file is the folder's public surface: other folders import from here and nothing else
// (test/unit/module-boundaries.test.ts checks it); every other file in the folder is private.
export { browseTree, tagNameOf, tagTypeOf, type BrowsedNode } from './opcua-browse.js';

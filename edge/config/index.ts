// Loading and validating the plant file.
// This file is the folder's public surface: other folders import from here and nothing else
// (test/unit/module-boundaries.test.ts checks it); every other file in the folder is private.
export { ConfigError } from './config-error.js';
export { formatIssues, formatPath, loadPlantFile, parsePlantText } from './load-plant.js';

// The package's public API: what a suite file imports.
export { defineSuite } from './suite/define-suite.ts';
export type { SuiteDefinition, Suite, Claim } from './suite/schema.ts';
export type { CellResult, OkCell, FailedCell } from './results/cell-result.ts';
export { PRESETS, type PresetName, type UNetConfig } from './model/config.ts';
export { MODES, type Mode } from './train/modes.ts';

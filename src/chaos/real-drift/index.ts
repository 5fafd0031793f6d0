export * from './corpus.js';
export * from './land.js';
export * from './run.js';
export * from './score.js';

export * from './recordings.js';
export * from './scans.js';
export * from './jobs.js';

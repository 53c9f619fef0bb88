export * from './accounts';
export * from './artifacts';
export * from './audit';
export * from './benchmarks';
export * from './results';
export * from './runners';
export * from './runs';
export * from './submissions';

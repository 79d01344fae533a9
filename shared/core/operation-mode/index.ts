/** The operation mode: pure core (modes, flags, health hysteresis, overrides, audit) and the workflow's names. */
export * from './audit';
export * from './feature-flags';
export * from './health-hysteresis';
export * from './job-tier';
export * from './messages';
export * from './modes';
export * from './override-request';
export * from './state';
export * from './transitions';
export * from './view';

// The state table lives in shared/ (the simulator's standard model uses it too).
export * from '../../shared/opcua-machinery.js';

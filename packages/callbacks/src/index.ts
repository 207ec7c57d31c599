export { type OneCycleOptions, oneCycleLR } from './schedules.js';

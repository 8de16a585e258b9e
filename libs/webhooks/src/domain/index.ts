export * from './webhook';
export * from './delivery';
export * from './signature';
export * from './address-policy';

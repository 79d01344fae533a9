/** Every kind of JSON value, including those a truthiness check would mistake for a miss. */
export const JSON_VALUES: Record<string, unknown> = {
  zero: 0,
  false: false,
  emptyString: '',
  null: null,
  emptyObject: {},
  emptyArray: [],
  nested: { a: [1, 'two', { three: null }], b: -0.5, c: 'ünïcødé ✓' },
};

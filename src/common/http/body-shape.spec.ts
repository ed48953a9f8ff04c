import { bodyShapeProblem, MAX_BODY_DEPTH } from './body-shape.js';

/** `{ a: { a: … leaf } }`, `levels` objects deep. */
const nested = (levels: number, leaf: unknown = 1): unknown =>
  Array.from({ length: levels }).reduce<unknown>((inner) => ({ a: inner }), leaf);

describe('bodyShapeProblem', () => {
  it('accepts the shapes the API takes', () => {
    expect(
      bodyShapeProblem({
        customerId: 'c',
        lineItems: [{ description: 'x', quantity: 1, unitAmount: 1 }],
        metadata: { k: 'v' },
      }),
    ).toBeNull();
  });

  it('accepts scalars, null and empty containers', () => {
    for (const body of [null, 42, 'text', [], {}]) expect(bodyShapeProblem(body)).toBeNull();
  });

  it(`accepts nesting up to ${MAX_BODY_DEPTH} levels`, () => {
    expect(bodyShapeProblem(nested(MAX_BODY_DEPTH))).toBeNull();
  });

  it('refuses one level more, naming the path where it went too deep', () => {
    const problem = bodyShapeProblem(nested(MAX_BODY_DEPTH + 1, {}));

    expect(problem).toEqual({
      field: Array(MAX_BODY_DEPTH).fill('a').join('.'),
      message: `The body must not nest deeper than ${MAX_BODY_DEPTH} levels`,
    });
  });

  it('refuses arrays nested 100,000 deep without overflowing the stack itself', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);

    expect(bodyShapeProblem({ address: deep })?.message).toMatch(/nest deeper/);
  });

  it('accepts any Unicode text, astral characters (surrogate pairs) included', () => {
    expect(bodyShapeProblem({ name: 'Zoë 😀 𝄞 中文 עברית', metadata: { '😀': '\u{10FFFF}' } })).toBeNull();
  });

  it.each(['\ud800', 'ok\udfff', '\udc00\ud800'])(
    'refuses the lone surrogate in %j, naming the field',
    (text) => {
      expect(bodyShapeProblem({ lineItems: [{ description: text }] })).toEqual({
        field: 'lineItems.0.description',
        message: 'Text must be valid Unicode (no lone UTF-16 surrogate)',
      });
    },
  );

  it('refuses a lone surrogate in a key, naming the object that holds it', () => {
    expect(bodyShapeProblem({ metadata: { 'k\ud800': 'v' } })?.field).toBe('metadata');
  });
});

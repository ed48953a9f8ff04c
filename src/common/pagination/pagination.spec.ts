import { randomUUID } from 'node:crypto';
import { DomainError } from '../errors/domain-error.js';
import { decodeCursor, toPage } from './pagination.js';

const rows = (count: number) => Array.from({ length: count }, () => ({ id: randomUUID() }));
const byId = (row: { id: string }) => row.id;

function thrownBy(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error('expected a DomainError, nothing was thrown');
}

describe('toPage', () => {
  it('with limit + 1 rows answers limit rows and a cursor', () => {
    const fetched = rows(4);

    const sut = toPage(fetched, 3, byId);

    expect(sut.data).toEqual(fetched.slice(0, 3).map(byId));
    expect(sut.nextCursor).toEqual(expect.any(String));
  });

  it.each([0, 1, 3])('with %i rows of a limit of 3 answers them all and a null cursor', (count) => {
    const fetched = rows(count);

    const sut = toPage(fetched, 3, byId);

    expect(sut).toEqual({ data: fetched.map(byId), nextCursor: null });
  });

  it('maps each row', () => {
    expect(toPage([{ id: randomUUID() }], 5, () => 'mapped').data).toEqual(['mapped']);
  });

  it('keeps the cursor opaque: it is not the id itself', () => {
    const fetched = rows(2);
    expect(toPage(fetched, 1, byId).nextCursor).not.toContain(fetched[0].id);
  });
});

describe('decodeCursor', () => {
  it('round-trips the cursor of toPage to the last id of the page', () => {
    const fetched = rows(3);
    const { nextCursor } = toPage(fetched, 2, byId);

    expect(decodeCursor(nextCursor!)).toBe(fetched[1].id);
  });

  it('answers undefined when there is no cursor (the first page)', () => {
    expect(decodeCursor(undefined)).toBeUndefined();
  });

  it.each([
    ['junk', 'not-a-cursor'],
    ['empty', ''],
    ['a bare uuid', randomUUID()],
    ['base64 of text', Buffer.from('hello world').toString('base64url')],
    ['base64 of a uuid with a suffix', Buffer.from(`${randomUUID()}x`).toString('base64url')],
    ['base64 of SQL', Buffer.from("' OR 1=1 --").toString('base64url')],
  ])('rejects %s with invalid_cursor', (_case, cursor) => {
    expect(thrownBy(() => decodeCursor(cursor))).toMatchObject({ code: 'invalid_cursor' });
  });
});

import { pageFrom, pageProbe } from './mongo-paging';

const docs = (...ids: string[]) => ids.map((id) => ({ _id: id }));
const toItem = (doc: { _id: string }) => ({ id: doc._id });
const cursorOf = (item: { id: string }) => item.id;

describe('pageFrom', () => {
  it('asks for one more than the page', () => {
    expect(pageProbe({ limit: 20, after: null })).toBe(21);
  });

  it('drops the extra document and points the cursor at the last item kept', () => {
    expect(pageFrom(docs('a', 'b', 'c'), { limit: 2, after: null }, toItem, cursorOf)).toEqual({
      items: [{ id: 'a' }, { id: 'b' }],
      nextCursor: 'b',
    });
  });

  it('ends with a null cursor when no extra document came back, a full page included', () => {
    expect(pageFrom(docs('a', 'b'), { limit: 2, after: 'x' }, toItem, cursorOf)).toEqual({
      items: [{ id: 'a' }, { id: 'b' }],
      nextCursor: null,
    });
    expect(pageFrom(docs(), { limit: 2, after: null }, toItem, cursorOf)).toEqual({
      items: [],
      nextCursor: null,
    });
  });
});

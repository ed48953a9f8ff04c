import { BatchedLines } from './batched-lines.js';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

function recordingStream() {
  const writes: string[] = [];
  return { writes, stream: { write: (text: string) => writes.push(text) > 0 } };
}

describe('BatchedLines', () => {
  it('writes the lines of one turn of the event loop together, in order, once that turn ends', async () => {
    const { writes, stream } = recordingStream();
    const sut = new BatchedLines(stream);

    sut.write('a\n');
    sut.write('b\n');
    expect(writes).toEqual([]);
    await nextTurn();
    sut.write('c\n');
    await nextTurn();

    expect(writes).toEqual(['a\nb\n', 'c\n']);
  });

  it('writes what is pending when flushed (as at exit), and nothing twice', async () => {
    const { writes, stream } = recordingStream();
    const sut = new BatchedLines(stream);

    sut.write('last words\n');
    sut.flush();
    await nextTurn();

    expect(writes).toEqual(['last words\n']);
  });
});

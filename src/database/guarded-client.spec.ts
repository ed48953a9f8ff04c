import net from 'node:net';
import pg from 'pg';
import { dataSourceOptions } from './data-source-options.js';

/** Backend messages of the Postgres wire protocol: a type byte, then a length that counts itself. */
const message = (type: string, body: Buffer) => {
  const length = Buffer.alloc(4);
  length.writeInt32BE(body.length + 4);
  return Buffer.concat([Buffer.from(type), length, body]);
};
const authenticationOk = message('R', Buffer.alloc(4));
const readyForQuery = message('Z', Buffer.from('I'));
const adminShutdown = message(
  'E',
  Buffer.from('SFATAL\0VFATAL\0C57P01\0Mterminating connection due to administrator command\0\0'),
);

describe('the pool the app connects through', () => {
  let server: net.Server;
  let url: string;

  beforeAll(async () => {
    // Postgres terminating a connection the moment it is ready: both messages in one write, so one read.
    server = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => socket.end(Buffer.concat([authenticationOk, readyForQuery, adminShutdown])));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `postgres://app@127.0.0.1:${(server.address() as net.AddressInfo).port}/app`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('survives a connection ended as it is handed over, and fails its queries instead', async () => {
    const { extra } = dataSourceOptions(url) as { extra: pg.PoolConfig };
    const pool = new pg.Pool({ connectionString: url, ...extra });
    try {
      const client = await pool.connect();

      await expect(client.query('SELECT 1')).rejects.toThrow(/not queryable|terminat/);
      client.release(true);
    } finally {
      await pool.end();
    }
  });
});

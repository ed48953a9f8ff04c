// The raw floors of `npm run bench` (not a service): node:http and a pg Pool, no framework, no auth, no
// validation, answering what the API answers with the least work the machine allows:
//   GET  /hello          a fixed ~1 KB JSON body (the framework floor)
//   GET  /invoices/:id   one invoice row of FLOOR_ORGANIZATION_ID by id, as JSON
//   GET  /invoices       its 50 newest invoices with ?status= (keyset on the id index), as JSON
//   POST /invoices       one INSERT of a draft row in a transaction (fsync on), as the API's create commits
//   POST /login          the user's hash by email and one argon2id verify (the hash holds the API's parameters)
// Run by bench/api.ts as a child process: PORT, DATABASE_URL, FLOOR_ORGANIZATION_ID, FLOOR_CUSTOMER_ID.
import http from 'node:http';
import argon2 from 'argon2';
import pg from 'pg';
import { v7 } from 'uuid';

const env = process.env;
const organizationId = env.FLOOR_ORGANIZATION_ID!;
const customerId = env.FLOOR_CUSTOMER_ID!;
// The API's pool size (src/database/data-source-options.ts), so both sides get as many connections.
const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 20 });

const hello = JSON.stringify({
  items: Array.from({ length: 12 }, (_, index) => ({ id: v7(), index, name: `item ${index}`, ok: true })),
});

function json(response: http.ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(body);
}

function readBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString()));
    request.on('error', reject);
  });
}

async function insertDraft(body: string): Promise<string> {
  const { currency } = JSON.parse(body) as { currency: string };
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query(
      `INSERT INTO invoices (id, organization_id, customer_id, status, currency, subtotal, discount_total,
                             tax_total, total, amount_due)
       VALUES ($1, $2, $3, 'draft', $4, 0, 0, 0, 0, 0) RETURNING *`,
      [v7(), organizationId, customerId, currency],
    );
    await client.query('COMMIT');
    return JSON.stringify(rows[0]);
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

async function login(body: string): Promise<boolean> {
  const { email, password } = JSON.parse(body) as { email: string; password: string };
  const { rows } = await pool.query('SELECT password_hash FROM users WHERE email = $1', [email]);
  return rows.length === 1 && argon2.verify(rows[0].password_hash, password);
}

async function route(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://floor');
  const byId = /^\/invoices\/([0-9a-f-]{36})$/.exec(url.pathname);
  if (request.method === 'GET' && url.pathname === '/hello') return json(response, 200, hello);
  if (request.method === 'GET' && byId) {
    const { rows } = await pool.query('SELECT * FROM invoices WHERE id = $1 AND organization_id = $2', [
      byId[1],
      organizationId,
    ]);
    return rows.length ? json(response, 200, JSON.stringify(rows[0])) : json(response, 404, '{}');
  }
  if (request.method === 'GET' && url.pathname === '/invoices') {
    const { rows } = await pool.query(
      'SELECT * FROM invoices WHERE organization_id = $1 AND status = $2 ORDER BY id DESC LIMIT 50',
      [organizationId, url.searchParams.get('status')],
    );
    return json(response, 200, JSON.stringify({ data: rows }));
  }
  if (request.method === 'POST' && url.pathname === '/invoices')
    return json(response, 201, await insertDraft(await readBody(request)));
  if (request.method === 'POST' && url.pathname === '/login') {
    const ok = await login(await readBody(request));
    return json(response, ok ? 200 : 401, JSON.stringify({ ok }));
  }
  json(response, 404, '{}');
}

const server = http.createServer({ keepAliveTimeout: 30_000 }, (request, response) => {
  route(request, response).catch((error: Error) => json(response, 500, JSON.stringify(error.message)));
});
server.listen(Number(env.PORT), '127.0.0.1', () => process.stdout.write('floor listening\n'));
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void pool.end();
});

export function testDatabaseUrl(worker: number): string;
export function testRedisUrl(worker: number): string;

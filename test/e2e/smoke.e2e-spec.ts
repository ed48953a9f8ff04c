import { signUpOwner } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('smoke', () => {
  let sut: TestApp;
  beforeAll(async () => {
    sut = await startTestApp();
  });
  afterAll(() => sut.close());

  it('signs up and reads me', async () => {
    const owner = await signUpOwner(sut.http);
    const me = await sut.http.get('/v1/auth/me').set('Authorization', owner.bearer).expect(200);
    expect(me.body.user.role).toBe('owner');
  });
});

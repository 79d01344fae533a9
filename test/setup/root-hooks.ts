import { stopTestPostgres } from '../helpers/postgres';
import { stopAllRedis } from '../helpers/redis';
import { stopTestStack } from '../helpers/stack';

export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await stopTestStack();
    await stopAllRedis();
    await stopTestPostgres();
  },
};

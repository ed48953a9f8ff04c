import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';

/**
 * Writes that must commit together go through run(). Outside a request transaction it opens one; inside one (an
 * Idempotency-Key request, whose stored answer must commit with its effects) it joins it, so the key,
 * the change and its event commit or roll back together.
 */
@Injectable()
export class Transactions {
  private readonly ambient = new AsyncLocalStorage<EntityManager>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const current = this.ambient.getStore();
    return current ? work(current) : this.runInNew(work);
  }

  /** Opens a transaction that run() calls made inside `work` join. */
  runInNew<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((manager) => this.ambient.run(manager, () => work(manager)));
  }
}

import { BullModule } from '@nestjs/bullmq';
import { forwardRef, Module } from '@nestjs/common';
import { queueNamesRegisteredBy } from './queue-names.js';

@Module({ imports: [BullModule.registerQueue({ name: 'pdf' }, { name: 'webhooks' })] })
class Inner {}

@Module({ imports: [Inner, BullModule.registerQueue({ name: 'maintenance' })] })
class Outer {}

@Module({ imports: [forwardRef(() => Outer), Inner] })
class Cyclic {}

@Module({})
class Empty {}

describe('queueNamesRegisteredBy', () => {
  it('finds the queues registered by the modules and by everything they import, each once, sorted', () => {
    expect(queueNamesRegisteredBy([Outer, Inner])).toEqual(['maintenance', 'pdf', 'webhooks']);
  });

  it('follows forward references without looping', () => {
    expect(queueNamesRegisteredBy([Cyclic])).toEqual(['maintenance', 'pdf', 'webhooks']);
  });

  it('finds none in modules that register none', () => {
    expect(queueNamesRegisteredBy([Empty])).toEqual([]);
  });

  it('reads a dynamic module’s own providers', () => {
    expect(queueNamesRegisteredBy([BullModule.registerQueue({ name: 'direct' })])).toEqual(['direct']);
  });
});

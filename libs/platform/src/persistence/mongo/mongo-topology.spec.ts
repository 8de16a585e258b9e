import { MongoTopology } from './mongo-topology';

describe('MongoTopology.fromHello', () => {
  it('has transactions on a replica set member', () => {
    expect(MongoTopology.fromHello({ setName: 'rs0' })).toEqual(
      new MongoTopology('replica-set', true),
    );
  });

  it('has transactions through mongos', () => {
    expect(MongoTopology.fromHello({ msg: 'isdbgrid' })).toEqual(
      new MongoTopology('sharded', true),
    );
  });

  it('has none on a standalone server or FerretDB, which answer without setName', () => {
    expect(
      MongoTopology.fromHello({
        isWritablePrimary: true,
        logicalSessionTimeoutMinutes: 30,
      } as never),
    ).toEqual(new MongoTopology('standalone', false));
  });
});

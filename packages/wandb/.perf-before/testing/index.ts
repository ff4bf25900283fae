/** `@metrics/wandb/testing`: the loopback fake W&B server, for tests of code that uses this package. */
export { startFakeWandbServer, parseWandbLine, type FakeWandbServer, type FakeRun, type Fault, type RecordedRequest } from './fake-wandb-server.js';

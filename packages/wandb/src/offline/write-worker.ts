/** Entry of the offline writer thread: one LogSink per open run, each fed by its run's messages in order. */
import { parentPort, workerData } from 'node:worker_threads';
import { LogSink, errorReply, type SinkMessage, type SinkReply } from './log-sink.js';

const port = parentPort;
if (port) {
  const sinks = new Map<number, LogSink>();
  /** Slot 0: messages handled, read by the sender (see WriterThread.behind); slot 1: 1 once listening. */
  const handled = (workerData as { handled: Int32Array }).handled;
  port.on('message', (message: SinkMessage) => {
    const run = message.run ?? 0;
    let reply: SinkReply | undefined;
    try {
      if (message.open) sinks.set(run, new LogSink(message.open));
      const sink = sinks.get(run);
      if (!sink) throw new Error(`offline writer: run #${run} is not open`);
      try {
        sink.handle(message);
      } finally {
        if (sink.isClosed) sinks.delete(run);
      }
      if (message.reply || message.flush || message.finish) reply = { run, seq: message.seq };
    } catch (error) {
      reply = { run, seq: message.seq, ...errorReply(error) };
    }
    Atomics.add(handled, 0, 1);
    Atomics.notify(handled, 0); // a sender blocked in waitForRoom (a loop that never yields) goes on
    if (reply) port.postMessage(reply);
  });
  Atomics.store(handled, 1, 1);
  Atomics.notify(handled, 1);
  port.postMessage('ready');
}

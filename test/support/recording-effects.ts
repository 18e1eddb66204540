import type { DurableMessage, TopicEffects, TopicView } from '../../src/actors/topic-runtime.ts';

/** Topic effects that describe each message as plain data, so tests can read the outbox rows. */
export function recordingEffects() {
  const changes: TopicView[] = [];
  let outboxSignals = 0;
  const message = (kind: string, chatId: number, payload: Record<string, unknown>): DurableMessage[] => [
    { kind, chatId, payload },
  ];
  const effects: TopicEffects = {
    runFinished: (topic, { run, completed, outcome }) =>
      message(outcome, topic.chatId, {
        runId: run.runId,
        answer: completed?.answer ?? null,
        token: run.resumeToken,
      }),
    droppedFromQueue: (topic, job) => message('dropped', topic.chatId, { jobId: job.jobId }),
    fileWaitExpired: (topic, wait) => message('file-wait-expired', topic.chatId, { path: wait.path }),
    interrupted: (topic, run) => message('interrupted', topic.chatId, { runId: run.runId }),
    restartedFromFacts: (topic, reason) => message('restarted-from-facts', topic.chatId, { reason }),
    parked: (topicKey, reason) => message('parked', 0, { topicKey, reason }),
    topicChanged: (_key, view) => changes.push(view),
    outboxChanged: () => {
      outboxSignals += 1;
    },
  };
  return { effects, changes, outboxSignals: () => outboxSignals };
}

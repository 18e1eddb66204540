import type { Rng } from './chaos-seed.ts';
import { ALICE, BOB, type ChaosWorld } from './chaos-world.ts';
import { note } from './failure-artifacts.ts';
import type { PromptLedger, SentPrompt } from './prompt-ledger.ts';

type Lane = 'dm' | 'group' | 'topic';

export interface WorkloadOptions {
  /** Engine-run pacing tokens to draw from; each prompt gets one. */
  pacing?: readonly string[];
  /** Share of new (non-reply) prompts that name another engine with a directive. */
  otherEngineShare?: number;
  /** Share of prompts that reply to an earlier final of the same chat, when one is visible. */
  replyShare?: number;
}

const DEFAULT_PACING = [
  '',
  '[[fake:delay=80]]',
  '[[fake:delay=200]]',
  '[[fake:delay=350]]',
  '[[fake:flood=25]]',
];
const OTHER_ENGINES = ['/claude', '/opencode', '/pi'] as const;

/**
 * A seeded stream of prompts over a ChaosWorld's lanes: Alice's private chat, the project group
 * (Alice and Bob), and the two forum topics (the first message of a topic binds it with `/web`).
 * Prompts reply to earlier finals now and then (which continues that session in any mode), and
 * some name another engine, so every adapter's resume path runs under the faults.
 *
 * @example
 * const workload = new Workload(world, ledger, rng);
 * workload.burst(); // 1–4 prompts, often several on one lane so a queue forms
 */
export class Workload {
  readonly #bound = new Set<number>();
  #count = 0;

  constructor(
    private readonly world: ChaosWorld,
    private readonly ledger: PromptLedger,
    private readonly rng: Rng,
    private readonly options: WorkloadOptions = {},
  ) {}

  /** Sends 1–4 prompts; half the time on one lane, so they queue behind each other. */
  burst(): SentPrompt[] {
    const n = this.rng.int(1, 4);
    const lane = this.rng.chance(0.5) ? this.#lane() : undefined;
    return Array.from({ length: n }, () => this.send(lane ?? this.#lane()));
  }

  send(lane: Lane = this.#lane()): SentPrompt {
    const { h, dm, group, forum, topics } = this.world;
    const label = `p${++this.#count}`;
    const pacing = this.rng.pick(this.options.pacing ?? DEFAULT_PACING);
    const from = lane === 'group' && this.rng.chance(0.5) ? BOB : ALICE;
    const chatId = lane === 'dm' ? dm : lane === 'group' ? group : forum;
    const threadId = lane === 'topic' ? this.rng.pick(topics) : undefined;
    const replyTo = this.rng.chance(this.options.replyShare ?? 0.25)
      ? this.#finalToReplyTo(chatId, threadId)
      : undefined;
    let directive = '';
    if (threadId !== undefined && !this.#bound.has(threadId)) {
      directive = '/web ';
      this.#bound.add(threadId);
    }
    if (replyTo === undefined && this.rng.chance(this.options.otherEngineShare ?? 0.2)) {
      directive += `${this.rng.pick(OTHER_ENGINES)} `;
    }
    const text = `${directive}${label} ${pacing}`.trim();
    const message = h.send(text, {
      chatId,
      from,
      ...(threadId === undefined ? {} : { threadId }),
      ...(replyTo === undefined ? {} : { replyTo }),
    });
    note(
      `${label}: chat ${chatId} message ${message.message_id}${replyTo ? ` replying to ${replyTo}` : ''}: ${text}`,
    );
    return this.ledger.add({ label, chatId, messageId: message.message_id, threadId, text });
  }

  #lane(): Lane {
    return this.rng.pick(['dm', 'dm', 'group', 'topic', 'topic'] as const);
  }

  /** A visible final in this chat (and topic) to reply to, drawn at random; undefined when none. */
  #finalToReplyTo(chatId: number, threadId: number | undefined): number | undefined {
    const finals = this.world.h.tg
      .chatLog(chatId, threadId)
      .filter((m) => m.fromBot && /^done · /.test(String(m.text ?? '')));
    return finals.length === 0 ? undefined : this.rng.pick(finals).messageId;
  }
}

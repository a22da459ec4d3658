import { Writable } from 'node:stream';
import pino from 'pino';
import { runSummaryPass } from '../src/jobs/summary-job.js';
import { FALLBACK_MODEL_ID, PRIMARY_MODEL_ID, startBenchStack } from './stack.js';

export interface PromptCheckpoint {
  turn: number;
  /** Characters of all prompt messages sent to the chat model on this turn. */
  promptChars: number;
  /** Summary (0 or 1) plus messages in the prompt context on this turn. */
  contextRows: number;
  /**
   * Rows read from SQLite for the context on this turn: 0 when the engine's context cache held
   * it, else what `loadPromptHistory` returned.
   */
  rowsRead: number;
}

export interface PromptGrowthFigures {
  checkpoints: PromptCheckpoint[];
  /** Prompt characters at the last checkpoint divided by those at turn 50. */
  lastToTurn50: number;
  /** Summary passes that folded messages. */
  summaryUpdates: number;
  /** Rows read from SQLite for prompt contexts over the whole run, per turn. */
  meanRowsRead: number;
}

/** A fixed-length reply, so growth comes from the number of messages and not their size. */
const REPLY_TEXT = 'Noted. Here is a short answer of fixed length, so every stored reply adds the same size.';
const SUMMARY_TEXT = 'Summary: the user sent numbered messages and the assistant acknowledged each of them briefly.';

/**
 * Drives one conversation through the engine directly (no Telegram), running a summary pass
 * between turns as the scheduled job would, and reads the size of each chat prompt from the
 * engine's own `prompt built` debug log line.
 */
export async function measurePromptGrowth(checkpointTurns: readonly number[]): Promise<PromptGrowthFigures> {
  const prompts: Array<{ promptChars: number; contextRows: number; rowsRead: number }> = [];
  const logStream = new Writable({
    write(line: Buffer, _encoding, callback) {
      const entry = JSON.parse(line.toString()) as { msg?: string; promptChars?: number; contextRows?: number; rowsRead?: number };
      if (entry.msg === 'prompt built') {
        prompts.push({ promptChars: entry.promptChars ?? 0, contextRows: entry.contextRows ?? 0, rowsRead: entry.rowsRead ?? 0 });
      }
      callback();
    },
  });
  const logger = pino({ level: 'debug' }, logStream);
  const stack = await startBenchStack({ logger });
  stack.openai.setDefault(PRIMARY_MODEL_ID, { text: REPLY_TEXT, chunkSize: 1000 });
  // The seeded summary model shares its id with the chat fallback model.
  stack.openai.setDefault(FALLBACK_MODEL_ID, { text: SUMMARY_TEXT, chunkSize: 1000 });

  const { app } = stack;
  const lastTurn = Math.max(...checkpointTurns);
  const checkpoints: PromptCheckpoint[] = [];
  let summaryUpdates = 0;
  try {
    for (let turn = 1; turn <= lastTurn; turn += 1) {
      const outcome = await app.engine.handleMessage({
        user: { platform: 'telegram', id: '990001', displayName: 'Growth', languageCode: 'en' },
        chatId: '990001',
        isPrivate: true,
        text: `Message number ${String(turn).padStart(5, '0')}: a line of ordinary length that keeps the conversation going.`,
        messageId: String(turn),
      });
      if (outcome.kind !== 'answer') throw new Error(`prompt growth: turn ${turn} was not answered (${outcome.kind})`);
      // `handleMessage` logs the prompt before the model call, so this turn's entry is the last one.
      const prompt = prompts.at(-1);
      if (prompt === undefined || prompts.length !== turn) throw new Error(`prompt growth: no 'prompt built' log line for turn ${turn}`);
      if (checkpointTurns.includes(turn)) checkpoints.push({ turn, ...prompt });

      const pass = await runSummaryPass({
        db: app.db,
        router: app.router,
        logger: pino({ level: 'silent' }),
        // As the bot's scheduled pass does, so the next prompt carries the new summary.
        guard: app.services.engine.contexts,
      });
      summaryUpdates += pass.updated;
    }
  } finally {
    await stack.close();
  }

  const atTurn50 = checkpoints.find((checkpoint) => checkpoint.turn === 50);
  const last = checkpoints.at(-1)!;
  return {
    checkpoints,
    lastToTurn50: atTurn50 === undefined ? Number.NaN : last.promptChars / atTurn50.promptChars,
    summaryUpdates,
    meanRowsRead: prompts.reduce((sum, prompt) => sum + prompt.rowsRead, 0) / prompts.length,
  };
}

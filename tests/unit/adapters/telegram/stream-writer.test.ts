import { GrammyError, type Api } from 'grammy';
import { describe, expect, it, vi } from 'vitest';

import { EmptyReplyError, renderTelegramReply, TelegramStreamWriter } from '../../../../src/adapters/telegram/stream-writer.js';
import { createLogger } from '../../../../src/logger.js';

const CHAT_ID = 42;

function apiError(method: string, errorCode: number, description: string): GrammyError {
  return new GrammyError(`Call to '${method}' failed!`, { ok: false, error_code: errorCode, description }, method, {});
}

/** Builds a stub of the grammY Api with the methods the writer calls. Its `sendMessageDraft` fails with `draftError` when set. */
function stubApi(draftError?: unknown) {
  let nextMessageId = 1;
  const api = {
    sendMessage: vi.fn(async (_chatId: number, text: string) => ({ message_id: nextMessageId++, text })),
    editMessageText: vi.fn(async () => true),
    deleteMessage: vi.fn(async () => true),
    sendMessageDraft: vi.fn(async () => {
      if (draftError !== undefined) throw draftError;
      return true;
    }),
  };
  return { api, asApi: api as unknown as Api };
}

function writerFor(api: Api, onDraftsUnavailable = vi.fn()) {
  const writer = new TelegramStreamWriter(api, CHAT_ID, { useDrafts: true, logger: createLogger('silent'), onDraftsUnavailable });
  return { writer, onDraftsUnavailable };
}

describe('renderTelegramReply', () => {
  it.each([
    ['#', ['#']],
    ['## ', ['##']],
    ['```\n```', ['```\n```']],
    ['<b>&</b>', ['&lt;b&gt;&amp;&lt;/b&gt;']],
  ])('falls back to escaped Markdown for %j', (markdown, expected) => {
    expect(renderTelegramReply(markdown).map((chunk) => chunk.trim())).toEqual(expected);
  });

  it('returns no chunks for blank Markdown', () => {
    expect(renderTelegramReply(' \n\t')).toEqual([]);
  });
});

describe('TelegramStreamWriter.finish', () => {
  it('sends a reply that renders to nothing as its Markdown', async () => {
    const { api, asApi } = stubApi();
    const { writer } = writerFor(asApi);

    const result = await writer.finish('```\n```');

    expect(result.error).toBeUndefined();
    expect(result.messageIds).toEqual(['1']);
    expect(api.sendMessage).toHaveBeenCalledWith(CHAT_ID, '```\n```', expect.objectContaining({ parse_mode: 'HTML' }));
  });

  it('reports a blank reply as a delivery failure', async () => {
    const { api, asApi } = stubApi();
    const { writer } = writerFor(asApi);

    const result = await writer.finish('  \n ');

    expect(result.error).toBeInstanceOf(EmptyReplyError);
    expect(result.messageIds).toEqual([]);
    expect(api.sendMessage).not.toHaveBeenCalled();
  });
});

describe('TelegramStreamWriter.showPartial draft errors', () => {
  it.each([
    ['400 method is not available', apiError('sendMessageDraft', 400, 'Bad Request: method is not available')],
    ['404 Not Found', apiError('sendMessageDraft', 404, 'Not Found')],
  ])('turns drafts off everywhere on %s', async (_name, error) => {
    const { api, asApi } = stubApi(error);
    const { writer, onDraftsUnavailable } = writerFor(asApi);

    await writer.showPartial('Partial text');
    await writer.showPartial('Partial text grows');

    expect(onDraftsUnavailable).toHaveBeenCalledTimes(1);
    expect(api.sendMessageDraft).toHaveBeenCalledTimes(1);
    expect(api.sendMessage).toHaveBeenCalledTimes(1);
    expect(api.editMessageText).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['400 chat not found', apiError('sendMessageDraft', 400, 'Bad Request: chat not found')],
    ['400 message is too long', apiError('sendMessageDraft', 400, 'Bad Request: message is too long')],
    ['400 TEXTDRAFT_PEER_INVALID', apiError('sendMessageDraft', 400, 'Bad Request: TEXTDRAFT_PEER_INVALID')],
  ])('edits a message for this reply only on %s', async (_name, error) => {
    const { api, asApi } = stubApi(error);
    const { writer, onDraftsUnavailable } = writerFor(asApi);

    await writer.showPartial('Partial text');
    await writer.showPartial('Partial text grows');

    expect(onDraftsUnavailable).not.toHaveBeenCalled();
    expect(api.sendMessageDraft).toHaveBeenCalledTimes(1);
    expect(api.sendMessage).toHaveBeenCalledTimes(1);
    expect(api.editMessageText).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['403 blocked by the user', apiError('sendMessageDraft', 403, 'Forbidden: bot was blocked by the user')],
    ['429 rate limit', apiError('sendMessageDraft', 429, 'Too Many Requests: retry after 5')],
  ])('rethrows %s and keeps drafts', async (_name, error) => {
    const { api, asApi } = stubApi(error);
    const { writer, onDraftsUnavailable } = writerFor(asApi);

    await expect(writer.showPartial('Partial text')).rejects.toBe(error);
    await expect(writer.showPartial('Partial text grows')).rejects.toBe(error);

    expect(onDraftsUnavailable).not.toHaveBeenCalled();
    expect(api.sendMessageDraft).toHaveBeenCalledTimes(2);
    expect(api.sendMessage).not.toHaveBeenCalled();
  });
});

/**
 * Escaping for Telegram's HTML parse mode, which decodes only `&lt;` `&gt;` `&amp;` `&quot;`
 * and numeric entities, and rejects any other bare `<`, `>` or `&`.
 */

/** Escapes `&`, `<` and `>` so that `text` shows literally between tags. */
export function escapeTelegramHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** Escapes `text` for a double-quoted attribute value: `&`, `<`, `>` and `"`. */
export function escapeTelegramHtmlAttribute(text: string): string {
  return escapeTelegramHtml(text).replaceAll('"', '&quot;');
}

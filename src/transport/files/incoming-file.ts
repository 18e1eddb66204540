import { basename } from 'node:path';
import type { Message } from 'grammy/types';
import type { MediaKind } from '../routing/message-kind.ts';

/** The attachment of a message, as much as Telegram tells before `getFile`. */
export interface IncomingFile {
  kind: MediaKind;
  fileId: string;
  /** The name the sender's client gave it (documents, videos, audio, animations); photos have none. */
  fileName: string | undefined;
  /** Telegram's size, when it sent one. */
  size: number | undefined;
}

/**
 * The attachment of `message`: the document, the largest photo size, the video, and so on.
 *
 * @example incomingFile({ …, document: { file_id: 'A', file_unique_id: 'a', file_name: 'spec.pdf', file_size: 10 } })
 *   // → { kind: 'document', fileId: 'A', fileName: 'spec.pdf', size: 10 }
 */
export function incomingFile(message: Message): IncomingFile | undefined {
  const named = (
    kind: MediaKind,
    file: { file_id: string; file_size?: number; file_name?: string } | undefined,
  ): IncomingFile | undefined =>
    file && { kind, fileId: file.file_id, fileName: file.file_name, size: file.file_size };
  if (message.animation) return named('animation', message.animation);
  if (message.document) return named('document', message.document);
  if (message.photo && message.photo.length > 0) {
    const largest = message.photo[message.photo.length - 1]!;
    return named('photo', largest);
  }
  return (
    named('video', message.video) ??
    named('audio', message.audio) ??
    named('voice', message.voice) ??
    named('video_note', message.video_note) ??
    named('sticker', message.sticker)
  );
}

/**
 * The name an upload is saved under when the user gave only a folder: the sender's file name, else
 * the last part of Telegram's file path, else `upload.bin`. Only the last path segment is kept, so a
 * crafted name cannot climb out of the folder.
 *
 * @example uploadFileName(undefined, 'photos/file_3.jpg') // 'file_3.jpg'
 */
export function uploadFileName(fileName: string | undefined, telegramPath: string | undefined): string {
  for (const candidate of [fileName, telegramPath]) {
    const name = candidate === undefined ? '' : basename(candidate.replace(/\\/g, '/'));
    const clean = name.replace(/[\u0000-\u001f\u007f]/g, '').trim();
    if (clean !== '' && clean !== '.' && clean !== '..') return clean;
  }
  return 'upload.bin';
}

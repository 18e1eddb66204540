/**
 * A refusal in the Bot API's own shape: the HTTP status equals `error_code`, and `description` carries the
 * `Bad Request:`/`Forbidden:`/… prefix the real server adds.
 *
 * @example
 * throw badRequest(ERR.messageToEditNotFound); // 400 "Bad Request: message to edit not found"
 */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly parameters?: { retry_after?: number; migrate_to_chat_id?: number },
  ) {
    super(`${code}: ${description}`);
    this.name = 'ApiError';
  }

  /** The JSON body the real server sends for this error. */
  toBody(): ErrorBody {
    const body: ErrorBody = { ok: false, error_code: this.code, description: this.description };
    if (this.parameters) body.parameters = this.parameters;
    return body;
  }
}

export interface ErrorBody {
  ok: false;
  error_code: number;
  description: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

/**
 * Descriptions the real server sends, without the `Bad Request: ` prefix. Strings marked "chosen" are not
 * confirmed by the reference notes; they are plausible stand-ins (see README).
 */
export const ERR = {
  chatIdEmpty: 'chat_id is empty',
  chatNotFound: 'chat not found',
  textEmpty: 'message text is empty',
  messageTooLong: 'message is too long',
  rawTextTooLong: 'text is too long',
  captionTooLong: 'message caption is too long',
  notModified:
    'message is not modified: specified new message content and reply markup are exactly the same as a current ' +
    'content and reply markup of the message',
  messageToEditNotFound: 'message to edit not found',
  messageToDeleteNotFound: 'message to delete not found',
  messageCantBeEdited: "message can't be edited",
  messageCantBeDeleted: "message can't be deleted",
  noTextToEdit: 'there is no text in the message to edit',
  messageIdMissing: 'message identifier is not specified',
  threadNotFound: 'message thread not found',
  topicClosed: 'TOPIC_CLOSED',
  replyNotFound: 'message to be replied not found',
  buttonDataInvalid: 'BUTTON_DATA_INVALID',
  queryTooOld: 'query is too old and response timeout expired or query ID is invalid',
  notEnoughRightsToCreateTopic: 'not enough rights to create a topic',
  /** chosen */
  notEnoughRightsToEditTopic: 'not enough rights to edit a topic',
  topicIdInvalid: 'TOPIC_ID_INVALID',
  topicNotModified: 'TOPIC_NOT_MODIFIED',
  /** chosen */
  topicNameInvalid: 'TOPIC_TITLE_EMPTY',
  /** chosen */
  topicIconColorInvalid: 'TOPIC_ICON_COLOR_INVALID',
  fileTooBig: 'file is too big',
  invalidFileId: 'invalid file_id',
  wrongFileIdentifier: 'wrong file identifier/HTTP URL specified',
  fileMustBeNonEmpty: 'file must be non-empty',
  /** chosen */
  documentMissing: 'there is no document in the request',
  userNotFound: 'user not found',
  replyMarkupJson: "can't parse reply keyboard markup JSON object",
  /** chosen */
  inlineKeyboardInvalid: "can't parse inline keyboard button: ",
  replyMarkupTooLong: 'reply markup is too long',
  commandInvalid: 'BOT_COMMAND_INVALID',
  /** chosen */
  commandDescriptionInvalid: 'BOT_COMMAND_DESCRIPTION_INVALID',
  /** chosen */
  wrongChatAction: 'wrong parameter action in request',
  /** chosen */
  callbackAnswerTooLong: 'MESSAGE_TOO_LONG',
  badJson: "can't parse JSON encoded request",
} as const;

export function badRequest(description: string): ApiError {
  return new ApiError(400, `Bad Request: ${description}`);
}

export function forbidden(description: string): ApiError {
  return new ApiError(403, `Forbidden: ${description}`);
}

export function tooManyRequests(retryAfter: number): ApiError {
  return new ApiError(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });
}

export const CONFLICT_OTHER_POLL =
  'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running';
export const CONFLICT_WEBHOOK =
  "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";

/**
 * Every error Baton returns is registered here once: a stable machine-readable code, the HTTP
 * status it maps to, and a default sentence. Core code throws `BatonError`; only the HTTP error
 * handler knows about status codes, and it reads them from this table.
 *
 * @example throw new BatonError('conversation_not_found', `No conversation ${id} in this account.`)
 */
export const ERROR_CODES = {
  bad_request: { status: 400, message: 'The request is not valid.' },
  invalid_json: { status: 400, message: 'The request body is not valid JSON.' },
  validation_failed: { status: 400, message: 'The request does not match the schema.' },
  unknown_mutation_type: { status: 400, message: 'A mutation\'s $type must be enableComponent or disableComponent.' },
  unauthorized: { status: 401, message: 'A valid API key is required (Authorization: Bearer <key>).' },
  forbidden: { status: 403, message: 'You may not do this.' },
  not_found: { status: 404, message: 'No such route.' },
  account_not_found: { status: 404, message: 'No such account.' },
  channel_not_found: { status: 404, message: 'No such channel in this account.' },
  component_not_found: { status: 404, message: 'No such component in this account.' },
  conversation_not_found: { status: 404, message: 'No such conversation in this account.' },
  agent_not_found: { status: 404, message: 'No such agent in this account.' },
  message_not_found: { status: 404, message: 'No such message in this account.' },
  delivery_not_found: { status: 404, message: 'No such delivery in this account.' },
  customer_not_found: { status: 404, message: 'No conversation with this customer in this account.' },
  component_disabled: { status: 409, message: 'This component is not enabled for the conversation and may not reply.' },
  stale_control: { status: 409, message: 'Control of the conversation has moved since the version you expected.' },
  conversation_taken: { status: 409, message: 'Another agent holds this conversation.' },
  agent_lacks_category: { status: 409, message: 'The agent does not hold the category handed-over conversations are offered with.' },
  source_not_permitted: { status: 409, message: 'The agent may not read or reply on this conversation\'s channel.' },
  invalid_transition: { status: 409, message: 'The conversation is not in a state that allows this.' },
  verification_failed: { status: 409, message: 'The endpoint did not pass verification.' },
  idempotency_conflict: { status: 409, message: 'This Idempotency-Key was already used for a different request.' },
  message_id_conflict: { status: 409, message: 'This chat already has a message with this id and different content.' },
  channel_inactive: { status: 409, message: 'The channel is switched off.' },
  chat_unavailable: { status: 409, message: 'Nobody answers this chat now: no bot is in front and no agent is online.' },
  agent_exists: { status: 409, message: 'This account already has an agent with this id.' },
  agent_in_config: { status: 409, message: 'This agent is set in baton.yaml; change it there.' },
  password_in_config: { status: 409, message: 'This agent\'s password is set in baton.yaml; change it there.' },
  widget_look_in_config: { status: 409, message: 'This part of the web chat\'s look is set in baton.yaml; change it there.' },
  payload_too_large: { status: 413, message: 'The request body is larger than the limit.' },
  file_too_large: { status: 413, message: 'The file is larger than this account takes.' },
  file_not_found: { status: 404, message: 'No such file in this account.' },
  headers_too_large: { status: 431, message: 'The request line and headers are larger than the limit.' },
  request_timeout: { status: 408, message: 'The request did not arrive in time.' },
  unsupported_media_type: { status: 415, message: 'Send the body as application/json.' },
  file_type_refused: { status: 415, message: 'The file is not an accepted type (PNG, JPEG, GIF, WebP, PDF).' },
  rate_limited: { status: 429, message: 'Too many requests; retry later.' },
  too_many_failures: { status: 429, message: 'Too many failed authentications; retry later.' },
  config_invalid: { status: 400, message: 'The configuration is not valid.' },
  demo_refused: { status: 409, message: 'Demo mode does not start on a store that holds configured accounts.' },
  store_unavailable: { status: 503, message: 'The store cannot be reached.' },
  store_full: { status: 503, message: 'The store is out of disk space; nothing of this request was stored. Retry later.' },
  overloaded: { status: 503, message: 'Baton is saturated; this routine command was not run. Retry later.' },
  internal: { status: 500, message: 'Something went wrong inside Baton.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class BatonError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message?: string, details?: Record<string, unknown>) {
    super(message ?? ERROR_CODES[code].message);
    this.name = 'BatonError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }
}

export function isBatonError(err: unknown): err is BatonError {
  return err instanceof BatonError;
}

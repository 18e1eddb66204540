/** The error body OpenAI's APIs (Responses, Chat Completions) send with an HTTP error status. */
export function openAiError(status: number): unknown {
  const [type, code, message] = ERRORS[status] ?? ['server_error', null, `mock error ${status}`];
  return { error: { message, type, param: null, code } };
}

const ERRORS: Record<number, [string, string | null, string]> = {
  400: ['invalid_request_error', null, 'mock: invalid request'],
  401: [
    'invalid_request_error',
    'invalid_api_key',
    'Incorrect API key provided: mock-key. You can find your API key at your provider.',
  ],
  403: ['invalid_request_error', 'unsupported_country_region_territory', 'mock: forbidden'],
  404: ['invalid_request_error', 'model_not_found', 'mock: the model does not exist'],
  429: ['rate_limit_exceeded', 'rate_limit_exceeded', 'mock: rate limit reached'],
  500: ['server_error', null, 'mock: the server had an error while processing your request'],
  503: ['server_error', null, 'mock: the engine is currently overloaded'],
};

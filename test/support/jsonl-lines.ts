/** Lines as the engine process actor delivers them: split on `\n`, a final unterminated line included. */
export function linesOf(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/**
 * Splits a command's arguments into words. Whitespace of any kind separates them, so a setting typed
 * over two lines (`/model set\ncodex o3`) reads the same as on one.
 *
 * @example
 *   splitArgs(' set  claude\n') // ['set', 'claude']
 */
export function splitArgs(args: string): string[] {
  return args.split(/\s+/).filter((word) => word !== '');
}

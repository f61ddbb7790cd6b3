/** `--name value` / `--name=value` flags for the demo programs (no dependencies, Dockerfile-friendly). */
export function flag(name: string, fallback: string, argv: readonly string[] = process.argv.slice(2)): string {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === `--${name}` && argv[i + 1] !== undefined) return argv[i + 1]!;
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
  }
  return fallback;
}

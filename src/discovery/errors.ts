/** Reading errors from Node APIs (fs, dns), which reject with objects carrying a `code`. */

/** The system error code (`ENOENT`, `ENOTFOUND`, `EAI_AGAIN`, …), if there is one. */
export function errorCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

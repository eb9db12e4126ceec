// Kept free of imports: the console's bundle writes sizes the way the server's messages do.

/** A size as people read it: bytes, KB or MB (1024-based). */
export function describeBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${+(bytes / 1024).toFixed(1)} KB`;
  return `${+(bytes / 1024 / 1024).toFixed(1)} MB`;
}
